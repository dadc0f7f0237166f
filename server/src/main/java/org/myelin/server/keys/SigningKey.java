package org.myelin.server.keys;

import java.util.Arrays;

/**
 * The server's Ed25519 signing key: its version (the part after {@code ed25519:} in the key
 * id) and its 32-byte seed. {@link #toString} never shows the seed.
 */
public record SigningKey(String version, byte[] seed) {

    public static final String ALGORITHM = "ed25519";

    public SigningKey {
        if (seed.length != 32) {
            throw new IllegalArgumentException("an Ed25519 seed is 32 bytes, got " + seed.length);
        }
        seed = seed.clone();
    }

    /** The key id as it appears in signatures and key queries, e.g. {@code ed25519:a1B2c3}. */
    public String keyId() {
        return ALGORITHM + ":" + version;
    }

    @Override
    public byte[] seed() {
        return seed.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigningKey k && k.version.equals(version) && Arrays.equals(k.seed, seed);
    }

    @Override
    public int hashCode() {
        return version.hashCode() * 31 + Arrays.hashCode(seed);
    }

    @Override
    public String toString() {
        return "SigningKey[" + keyId() + "]";
    }
}
