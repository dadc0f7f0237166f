package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rule 4.4.1 (v8+ numbering): an invite that redeems a third-party invite. The identity server
 * signed {@code content.third_party_invite.signed}; one of its signatures must verify with a
 * public key of the room's {@code m.room.third_party_invite} event for {@code signed.token},
 * which the same user must have sent (client-server API, "Third-party invites").
 */
final class ThirdPartyInviteRules {

    private static final String KEY_PREFIX = "ed25519:";

    private ThirdPartyInviteRules() {
    }

    static AuthResult check(AuthContext c) {
        Pdu event = c.event();
        RuleNumbers n = c.n();
        String target = event.stateKey();
        if (MembershipRules.BAN.equals(c.membershipOf(target))) {
            return AuthResult.rejected(n.member(4, 1, 1), target + " is banned");
        }
        JsonNode signedNode = event.content().path("third_party_invite").get("signed");
        if (signedNode == null) {
            return AuthResult.rejected(n.member(4, 1, 2), "third_party_invite has no signed");
        }
        JsonNode mxid = signedNode.get("mxid");
        JsonNode token = signedNode.get("token");
        if (!(signedNode instanceof ObjectNode signed) || mxid == null || !mxid.isTextual()
                || token == null || !token.isTextual()) {
            return AuthResult.rejected(n.member(4, 1, 3), "signed needs mxid and token");
        }
        if (!mxid.textValue().equals(target)) {
            return AuthResult.rejected(n.member(4, 1, 4), "signed.mxid " + mxid.textValue() + " is not " + target);
        }
        Pdu invite = c.state().get(StateKey.of(StateKey.THIRD_PARTY_INVITE, token.textValue()));
        if (invite == null) {
            return AuthResult.rejected(n.member(4, 1, 5), "no m.room.third_party_invite for token " + token.textValue());
        }
        if (!invite.sender().equals(event.sender())) {
            return AuthResult.rejected(n.member(4, 1, 6), "the third-party invite was sent by " + invite.sender());
        }
        if (isSignedByAnyKey(signed, publicKeys(invite))) {
            return AuthResult.allowed();
        }
        return AuthResult.rejected(n.member(4, 1, 8), "no signature in signed matches a public key of the invite");
    }

    /** {@code public_key} and each {@code public_keys[].public_key}, decoded; undecodable keys are skipped. */
    private static List<byte[]> publicKeys(Pdu invite) {
        List<byte[]> keys = new ArrayList<>();
        addKey(keys, invite.content().get("public_key"));
        JsonNode list = invite.content().get("public_keys");
        if (list != null && list.isArray()) {
            for (JsonNode entry : list) {
                addKey(keys, entry.get("public_key"));
            }
        }
        return keys;
    }

    private static void addKey(List<byte[]> keys, JsonNode base64) {
        if (base64 != null && base64.isTextual()) {
            byte[] key = decode(base64.textValue());
            if (key != null && key.length == 32) {
                keys.add(key);
            }
        }
    }

    private static boolean isSignedByAnyKey(ObjectNode signed, List<byte[]> keys) {
        JsonNode signatures = signed.get("signatures");
        if (keys.isEmpty() || signatures == null || !signatures.isObject()) {
            return false;
        }
        byte[] message = JsonSigning.signedBytes(signed);
        for (Map.Entry<String, JsonNode> byEntity : signatures.properties()) {
            for (Map.Entry<String, JsonNode> byKey : byEntity.getValue().properties()) {
                if (!byKey.getKey().startsWith(KEY_PREFIX) || !byKey.getValue().isTextual()) {
                    continue;
                }
                byte[] signature = decode(byKey.getValue().textValue());
                if (signature == null) {
                    continue;
                }
                for (byte[] key : keys) {
                    if (new VerifyKey(byKey.getKey(), key).verify(message, signature)) {
                        return true;
                    }
                }
            }
        }
        return false;
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
