package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.protocol.event.Pdu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The public keys of an {@code m.room.third_party_invite} event and the check that an identity
 * server's {@code signed} block verifies with one of them (client-server API, "Third-party
 * invites"; server-server API, "Verifying the invite"). The auth rules and the servers that
 * exchange a third-party invite use the same check.
 */
public final class ThirdPartyInviteKeys {

    private static final String KEY_PREFIX = "ed25519:";

    /** One public key as the invite lists it, and where its validity may be asked (or null). */
    public record PublicKey(String base64, byte[] key, String keyValidityUrl) {
    }

    private ThirdPartyInviteKeys() {
    }

    /** {@code public_key} and each {@code public_keys[].public_key}; undecodable keys are skipped. */
    public static List<PublicKey> of(Pdu invite) {
        List<PublicKey> keys = new ArrayList<>();
        add(keys, invite.content().get("public_key"), invite.content().get("key_validity_url"));
        JsonNode list = invite.content().get("public_keys");
        if (list != null && list.isArray()) {
            for (JsonNode entry : list) {
                add(keys, entry.get("public_key"), entry.get("key_validity_url"));
            }
        }
        return keys;
    }

    /** The first key of {@code invite} that verifies a signature in {@code signed}, if any. */
    public static Optional<PublicKey> verifying(ObjectNode signed, Pdu invite) {
        List<PublicKey> keys = of(invite);
        JsonNode signatures = signed.get("signatures");
        if (keys.isEmpty() || signatures == null || !signatures.isObject()) {
            return Optional.empty();
        }
        byte[] message = JsonSigning.signedBytes(signed);
        for (Map.Entry<String, JsonNode> byEntity : signatures.properties()) {
            if (!byEntity.getValue().isObject()) {
                continue;
            }
            for (Map.Entry<String, JsonNode> byKey : byEntity.getValue().properties()) {
                if (!byKey.getKey().startsWith(KEY_PREFIX) || !byKey.getValue().isTextual()) {
                    continue;
                }
                byte[] signature = decode(byKey.getValue().textValue());
                if (signature == null) {
                    continue;
                }
                for (PublicKey key : keys) {
                    if (new VerifyKey(byKey.getKey(), key.key()).verify(message, signature)) {
                        return Optional.of(key);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static void add(List<PublicKey> keys, JsonNode base64, JsonNode validityUrl) {
        if (base64 != null && base64.isTextual()) {
            byte[] key = decode(base64.textValue());
            if (key != null && key.length == 32) {
                keys.add(new PublicKey(base64.textValue(), key,
                        validityUrl != null && validityUrl.isTextual() ? validityUrl.textValue() : null));
            }
        }
    }

    /**
     * Unpadded base64 as identity servers publish it: standard, or URL-safe as some do in the
     * wild; padding is tolerated. Null if it is neither.
     */
    static byte[] decode(String base64) {
        String s = base64;
        while (s.endsWith("=")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            return s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? UnpaddedBase64.decodeUrlSafe(s) : UnpaddedBase64.decode(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
