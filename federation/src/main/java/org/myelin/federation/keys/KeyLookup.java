package org.myelin.federation.keys;

import java.util.Optional;

/** Finding a server's key that counts at a given time; the {@link KeyRing} is the one in production. */
@FunctionalInterface
public interface KeyLookup {

    /**
     * {@code server}'s key {@code keyId} that counts at {@code neededAt} (any time when negative).
     *
     * @param allowOld whether a key from {@code old_verify_keys} will do
     */
    Optional<KeyRing.UsableKey> key(String server, String keyId, long neededAt, boolean allowOld);
}
