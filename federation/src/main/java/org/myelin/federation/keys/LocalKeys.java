package org.myelin.federation.keys;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.storage.federation.ServerKeyRepository;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * This server's keys as it publishes them at {@code GET /_matrix/key/v2/server} (server-server
 * API, "Publishing Keys"): the signing key in use under {@code verify_keys}, the keys it replaced
 * under {@code old_verify_keys} (kept in the database, so a rotated key still checks the events
 * it signed), valid for a configured time from now, signed by the key in use.
 */
public final class LocalKeys {

    private final String serverName;
    private final SigningKey signingKey;
    private final Map<String, ServerKeyDocument.OldKey> oldKeys;
    private final Clock clock;
    private final Duration validity;

    /** Records {@code signingKey} as the key in use (retiring any other) and loads the old keys. */
    public LocalKeys(String serverName, SigningKey signingKey, ServerKeyRepository repository, Clock clock,
                     Duration validity) {
        this.serverName = serverName;
        this.signingKey = signingKey;
        this.clock = clock;
        this.validity = validity;
        List<ServerKeyRepository.LocalKey> keys = repository.useLocalKey(signingKey.keyId(),
                signingKey.verifyKey().publicKeyBase64(), clock.millis());
        this.oldKeys = keys.stream().filter(k -> k.expiredTs() != null).collect(Collectors.toUnmodifiableMap(
                ServerKeyRepository.LocalKey::keyId,
                k -> new ServerKeyDocument.OldKey(VerifyKey.fromBase64(k.keyId(), k.publicKey()), k.expiredTs())));
    }

    public String serverName() {
        return serverName;
    }

    public SigningKey signingKey() {
        return signingKey;
    }

    /** Our key {@code keyId}, current or old, as a remote key would be looked up. */
    Optional<KeyRing.UsableKey> key(String keyId) {
        if (keyId.equals(signingKey.keyId())) {
            return Optional.of(new KeyRing.UsableKey(signingKey.verifyKey(), Long.MAX_VALUE, null));
        }
        ServerKeyDocument.OldKey old = oldKeys.get(keyId);
        return old == null ? Optional.empty()
                : Optional.of(new KeyRing.UsableKey(old.key(), old.expiredTs(), old.expiredTs()));
    }

    /** The signed key document, valid from now for the configured time. */
    public ObjectNode document() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode doc = f.objectNode();
        doc.put("server_name", serverName);
        doc.putObject("verify_keys").putObject(signingKey.keyId())
                .put("key", signingKey.verifyKey().publicKeyBase64());
        ObjectNode old = doc.putObject("old_verify_keys");
        oldKeys.forEach((id, key) -> old.putObject(id)
                .put("key", key.key().publicKeyBase64())
                .put("expired_ts", key.expiredTs()));
        doc.put("valid_until_ts", clock.millis() + validity.toMillis());
        return JsonSigning.sign(doc, serverName, signingKey);
    }

    /** {@code json} with this server's signature added, as a notary signs what it passes on. */
    public ObjectNode sign(ObjectNode json) {
        return JsonSigning.sign(json, serverName, signingKey);
    }
}
