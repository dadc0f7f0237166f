package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.AuthRuleSet;

import java.util.List;

/**
 * The {@code m.room.member} rule (4 in room versions 3-11, 5 in v1, v2 and v12): who may join,
 * invite, leave, kick, ban and knock. Rule numbers below are those of v8+ (see {@link RuleNumbers}).
 */
final class MembershipRules {

    static final String JOIN = "join";
    static final String INVITE = "invite";
    static final String LEAVE = "leave";
    static final String BAN = "ban";
    static final String KNOCK = "knock";

    private static final String AUTHORISED_VIA = "join_authorised_via_users_server";

    private MembershipRules() {
    }

    static AuthResult check(AuthContext c, SignatureCheck signatures) {
        Pdu event = c.event();
        RuleNumbers n = c.n();
        String membership = event.membership();
        if (event.stateKey() == null || membership == null) {
            return AuthResult.rejected(n.member(1), "a membership event needs a state key and a membership");
        }
        if (c.rules().restrictedJoins() && event.content().has(AUTHORISED_VIA)) {
            JsonNode via = event.content().get(AUTHORISED_VIA);
            if (!via.isTextual() || !signatures.isSignedBy(event, Pdu.domainOf(via.textValue()))) {
                return AuthResult.rejected(n.member(2, 1),
                        "the event is not signed by the server of " + AUTHORISED_VIA + " " + via);
            }
        }
        return switch (membership) {
            case JOIN -> join(c);
            case INVITE -> event.content().has("third_party_invite") ? ThirdPartyInviteRules.check(c) : invite(c);
            case LEAVE -> leave(c);
            case BAN -> ban(c);
            case KNOCK -> c.rules().knocking()
                    ? knock(c)
                    : AuthResult.rejected(n.member(8), "knock is not a membership of this room version");
            default -> AuthResult.rejected(n.member(8), "unknown membership " + membership);
        };
    }

    /** Rule 4.3 (v8+): join. */
    private static AuthResult join(AuthContext c) {
        Pdu event = c.event();
        RuleNumbers n = c.n();
        String target = event.stateKey();
        if (isCreatorsFirstJoin(c)) {
            return AuthResult.allowed();
        }
        if (!event.sender().equals(target)) {
            return AuthResult.rejected(n.join(2), "cannot join another user");
        }
        String current = c.membershipOf(target);
        if (BAN.equals(current)) {
            return AuthResult.rejected(n.join(3), target + " is banned");
        }
        String joinRule = joinRule(c.state());
        boolean invitedOrJoined = INVITE.equals(current) || JOIN.equals(current);
        if (INVITE.equals(joinRule) || c.rules().knocking() && KNOCK.equals(joinRule)) {
            if (invitedOrJoined) {
                return AuthResult.allowed();
            }
        } else if (isRestricted(joinRule, c.rules())) {
            return restrictedJoin(c, invitedOrJoined);
        } else if ("public".equals(joinRule)) {
            return AuthResult.allowed();
        }
        return AuthResult.rejected(n.join(7), "join rule " + joinRule + " does not let " + target + " join");
    }

    /** Rule 4.3.1: the creator's join right after the create event. */
    private static boolean isCreatorsFirstJoin(AuthContext c) {
        List<String> prev = c.event().prevEventIds();
        if (prev.size() != 1 || !prev.get(0).equals(c.create().eventId())) {
            return false;
        }
        String creator;
        if (c.rules().creatorIsCreateSender()) {
            creator = c.create().sender();
        } else {
            JsonNode field = c.create().content().get("creator");
            creator = field != null && field.isTextual() ? field.textValue() : null;
        }
        return c.event().stateKey().equals(creator);
    }

    private static boolean isRestricted(String joinRule, AuthRuleSet rules) {
        return rules.restrictedJoins() && "restricted".equals(joinRule)
                || rules.knockRestrictedJoins() && "knock_restricted".equals(joinRule);
    }

    /** Rule 4.3.5: a restricted join needs an invite, or a joined member with invite power vouching for it. */
    private static AuthResult restrictedJoin(AuthContext c, boolean invitedOrJoined) {
        if (invitedOrJoined) {
            return AuthResult.allowed();
        }
        JsonNode via = c.event().content().get(AUTHORISED_VIA);
        if (via == null || !via.isTextual()) {
            return AuthResult.rejected(c.n().join(5, 2), "a restricted join needs " + AUTHORISED_VIA);
        }
        String authoriser = via.textValue();
        if (!JOIN.equals(c.membershipOf(authoriser))) {
            return AuthResult.rejected(c.n().join(5, 2), authoriser + " is not joined to the room");
        }
        if (c.levels().userLevel(authoriser) < c.levels().invite()) {
            return AuthResult.rejected(c.n().join(5, 2), authoriser + " may not invite users");
        }
        return AuthResult.allowed();
    }

    /** Rule 4.4: invite (without a third-party invite). */
    private static AuthResult invite(AuthContext c) {
        RuleNumbers n = c.n();
        String target = c.event().stateKey();
        if (!JOIN.equals(c.membershipOf(c.sender()))) {
            return AuthResult.rejected(n.member(4, 2), c.sender() + " is not joined to the room");
        }
        String current = c.membershipOf(target);
        if (JOIN.equals(current) || BAN.equals(current)) {
            return AuthResult.rejected(n.member(4, 3), target + " is " + (BAN.equals(current) ? "banned" : "joined"));
        }
        if (c.senderLevel() >= c.levels().invite()) {
            return AuthResult.allowed();
        }
        return AuthResult.rejected(n.member(4, 5), c.sender() + " is below the invite level");
    }

    /** Rule 4.5: leave, kick and unban. */
    private static AuthResult leave(AuthContext c) {
        RuleNumbers n = c.n();
        String target = c.event().stateKey();
        String senderMembership = c.membershipOf(c.sender());
        if (c.sender().equals(target)) {
            boolean mayLeave = INVITE.equals(senderMembership) || JOIN.equals(senderMembership)
                    || c.rules().knocking() && KNOCK.equals(senderMembership);
            return mayLeave
                    ? AuthResult.allowed()
                    : AuthResult.rejected(n.member(5, 1), target + " cannot leave from " + senderMembership);
        }
        if (!JOIN.equals(senderMembership)) {
            return AuthResult.rejected(n.member(5, 2), c.sender() + " is not joined to the room");
        }
        long senderLevel = c.senderLevel();
        if (BAN.equals(c.membershipOf(target)) && senderLevel < c.levels().ban()) {
            return AuthResult.rejected(n.member(5, 3), c.sender() + " is below the ban level, so cannot unban");
        }
        if (senderLevel >= c.levels().kick() && c.levels().userLevel(target) < senderLevel) {
            return AuthResult.allowed();
        }
        return AuthResult.rejected(n.member(5, 5), c.sender() + " may not kick " + target);
    }

    /** Rule 4.6: ban. */
    private static AuthResult ban(AuthContext c) {
        RuleNumbers n = c.n();
        String target = c.event().stateKey();
        if (!JOIN.equals(c.membershipOf(c.sender()))) {
            return AuthResult.rejected(n.member(6, 1), c.sender() + " is not joined to the room");
        }
        long senderLevel = c.senderLevel();
        if (senderLevel >= c.levels().ban() && c.levels().userLevel(target) < senderLevel) {
            return AuthResult.allowed();
        }
        return AuthResult.rejected(n.member(6, 3), c.sender() + " may not ban " + target);
    }

    /** Rule 4.7 (v7+): knock. */
    private static AuthResult knock(AuthContext c) {
        RuleNumbers n = c.n();
        String joinRule = joinRule(c.state());
        boolean knockable = KNOCK.equals(joinRule)
                || c.rules().knockRestrictedJoins() && "knock_restricted".equals(joinRule);
        if (!knockable) {
            return AuthResult.rejected(n.member(7, 1), "join rule " + joinRule + " does not allow knocking");
        }
        if (!c.sender().equals(c.event().stateKey())) {
            return AuthResult.rejected(n.member(7, 2), "cannot knock for another user");
        }
        String current = c.membershipOf(c.sender());
        if (BAN.equals(current) || INVITE.equals(current) || JOIN.equals(current)) {
            return AuthResult.rejected(n.member(7, 4), c.sender() + " cannot knock from " + current);
        }
        return AuthResult.allowed();
    }

    /**
     * The room's join rule; {@code invite} when the room has no {@code m.room.join_rules}
     * event or it names none (the spec is silent; Synapse's reading, which clients are tested
     * against). A join rule that is not a string matches no rule.
     */
    static String joinRule(AuthState state) {
        Pdu joinRules = state.get(StateKey.joinRules());
        if (joinRules == null) {
            return INVITE;
        }
        JsonNode rule = joinRules.content().get("join_rule");
        if (rule == null) {
            return INVITE;
        }
        return rule.isTextual() ? rule.textValue() : rule.toString();
    }
}
