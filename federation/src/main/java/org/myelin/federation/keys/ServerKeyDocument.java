package org.myelin.federation.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.protocol.id.KeyId;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.json.CanonicalJson;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;

/**
 * A server's published keys (server-server API, "Publishing Keys"; {@code keys.yaml}): its
 * {@code verify_keys}, its {@code old_verify_keys} with when each expired, until when the list
 * holds ({@code valid_until_ts}), and the JSON as signed, kept whole because notaries pass it on.
 *
 * <p>Only Ed25519 keys are read; keys of other algorithms stay in the JSON but are not used.
 */
public record ServerKeyDocument(String serverName, Map<String, VerifyKey> verifyKeys,
                                Map<String, OldKey> oldVerifyKeys, long validUntilTs, ObjectNode json) {

    /** A key the server no longer uses, still good for events signed before {@code expiredTs}. */
    public record OldKey(VerifyKey key, long expiredTs) {
    }

    /** The document is not a key document. */
    public static final class InvalidDocumentException extends RuntimeException {
        InvalidDocumentException(String message) {
            super(message, null, false, false);
        }
    }

    public ServerKeyDocument {
        verifyKeys = Collections.unmodifiableMap(new LinkedHashMap<>(verifyKeys));
        oldVerifyKeys = Collections.unmodifiableMap(new LinkedHashMap<>(oldVerifyKeys));
    }

    /** Reads a key document; throws {@link InvalidDocumentException} if it is not one. */
    public static ServerKeyDocument parse(JsonNode node) {
        if (!(node instanceof ObjectNode json)) {
            throw new InvalidDocumentException("a key document is a JSON object");
        }
        JsonNode name = json.get("server_name");
        if (name == null || !name.isTextual() || !ServerName.isValid(name.textValue())) {
            throw new InvalidDocumentException("server_name is missing or not a server name");
        }
        JsonNode validUntil = json.get("valid_until_ts");
        if (validUntil == null || !validUntil.isIntegralNumber() || !validUntil.canConvertToLong()) {
            throw new InvalidDocumentException("valid_until_ts is missing or not an integer");
        }
        Map<String, VerifyKey> verify = new LinkedHashMap<>();
        JsonNode verifyKeys = json.get("verify_keys");
        if (!(verifyKeys instanceof ObjectNode)) {
            throw new InvalidDocumentException("verify_keys is missing or not an object");
        }
        verifyKeys.properties().forEach(e -> {
            VerifyKey key = ed25519(e.getKey(), e.getValue().path("key"));
            if (key != null) {
                verify.put(e.getKey(), key);
            }
        });
        Map<String, OldKey> old = new LinkedHashMap<>();
        json.path("old_verify_keys").properties().forEach(e -> {
            VerifyKey key = ed25519(e.getKey(), e.getValue().path("key"));
            JsonNode expired = e.getValue().path("expired_ts");
            if (key != null && expired.isIntegralNumber() && expired.canConvertToLong()) {
                old.put(e.getKey(), new OldKey(key, expired.longValue()));
            }
        });
        return new ServerKeyDocument(name.textValue(), verify, old, validUntil.longValue(), json.deepCopy());
    }

    private static VerifyKey ed25519(String keyId, JsonNode base64) {
        if (!KeyId.isValid(keyId) || !KeyId.parse(keyId).algorithm().equals(KeyId.ED25519) || !base64.isTextual()) {
            return null;
        }
        try {
            return VerifyKey.fromBase64(keyId, base64.textValue());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Whether the server signed this document with its own keys: every signature it made with one
     * of its {@code verify_keys} is valid, and there is at least one.
     */
    public boolean isSelfSigned() {
        byte[] signed = JsonSigning.signedBytes(json);
        int valid = 0;
        for (Map.Entry<String, JsonNode> sig : json.path("signatures").path(serverName).properties()) {
            VerifyKey key = verifyKeys.get(sig.getKey());
            if (key == null) {
                continue; // an old key or another algorithm
            }
            if (!JsonSigning.verify(signed, json, serverName, key)) {
                return false;
            }
            valid++;
        }
        return valid > 0;
    }

    /** Whether {@code entity} (a notary) signed this document with {@code key}. */
    public boolean isSignedBy(String entity, VerifyKey key) {
        return JsonSigning.verify(json, entity, key);
    }

    /** The key ids {@code entity} claims to have signed with. */
    public List<String> signingKeyIds(String entity) {
        List<String> ids = new ArrayList<>();
        json.path("signatures").path(entity).fieldNames().forEachRemaining(ids::add);
        return ids;
    }

    /** The JSON, canonical. */
    public byte[] canonicalBytes() {
        return CanonicalJson.encode(json);
    }
}
