package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

/**
 * Rule 4.4.1 (v8+ numbering): an invite that redeems a third-party invite. The identity server
 * signed {@code content.third_party_invite.signed}; one of its signatures must verify with a
 * public key of the room's {@code m.room.third_party_invite} event for {@code signed.token},
 * which the same user must have sent (client-server API, "Third-party invites").
 */
final class ThirdPartyInviteRules {

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
        if (ThirdPartyInviteKeys.verifying(signed, invite).isPresent()) {
            return AuthResult.allowed();
        }
        return AuthResult.rejected(n.member(4, 1, 8), "no signature in signed matches a public key of the invite");
    }
}
