package org.myelin.protocol.auth;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.AuthRuleSet;

import java.util.List;
import java.util.function.Predicate;

/**
 * The authorisation rules of room versions 1 to 12 (each room version's "Authorisation rules";
 * server-server API, "Checks performed on receipt of a PDU"), as pure functions of an event and
 * the state it is checked against. A rejection names the rule by its number in the event's
 * room version, so a reader can hold this code against the spec line by line.
 *
 * <p>The order of checks, numbered as in v3-v5 / v6-v11 / v12 (v1-v2 as v3-v5):
 * <ol>
 *   <li>{@link #checkAuthEvents}, once per event, on its {@code auth_events} list (rule 2; 3 in
 *       v12): no duplicate type and state key, only entries of {@link AuthEventsSelection},
 *       none rejected, a create event among them (before v12), all in the event's room.</li>
 *   <li>{@link #check}, against the auth events, the state before the event, and the current
 *       state:
 *     <ol>
 *       <li>{@code m.room.create} (1): no prev events; room id (domain, or v12: none); known
 *           room version; {@code creator} (v1-v10) or valid {@code additional_creators} (v12).</li>
 *       <li>The room: v12 rule 2, the room id is the create event's id; before v12, a create
 *           event in the state (2.4) of the same room (2.5).</li>
 *       <li>{@code m.federate} (3; 4 in v12).</li>
 *       <li>{@code m.room.aliases} (4, v1-v5 only).</li>
 *       <li>{@code m.room.member} (5/4/5): {@link MembershipRules}, with
 *           {@code join_authorised_via_users_server} signatures (v8+), join, invite
 *           (and {@link ThirdPartyInviteRules}), leave, ban, knock (v7+).</li>
 *       <li>The sender is joined (6/5/6).</li>
 *       <li>{@code m.room.third_party_invite} needs the invite level (7/6/7).</li>
 *       <li>The event type's required power level (8/7/8).</li>
 *       <li>A state key starting with {@code @} is the sender's (9/8/9).</li>
 *       <li>{@code m.room.power_levels} (10/9/10): {@link PowerLevelRules}.</li>
 *       <li>{@code m.room.redaction} (11, v1-v2 only): the redact level or the target's domain.</li>
 *       <li>Otherwise, allow.</li>
 *     </ol></li>
 * </ol>
 * Which rules exist, and their numbers, follow the {@link AuthRuleSet} switches of the event's
 * room version, never its id. Signatures of the sender's server (and, in v1-v2, of the event
 * id's server) are checked before auth, by the caller.
 */
public final class EventAuth {

    private static final String ALIASES = "m.room.aliases";
    private static final String REDACTION = "m.room.redaction";

    private EventAuth() {
    }

    /**
     * Whether {@code event} passes the rules against {@code state}.
     *
     * @param state      the state to check against; it must hold the room's create event, in
     *                   room version 12 as well
     * @param signatures answers whether the event is signed by a server, for restricted joins
     */
    public static AuthResult check(Pdu event, AuthState state, SignatureCheck signatures) {
        AuthRuleSet rules = event.roomVersion().auth();
        RuleNumbers n = RuleNumbers.of(rules);
        if (StateKey.CREATE.equals(event.type())) {
            return CreateRules.checkCreate(event, n);
        }
        Pdu create = state.get(StateKey.create());
        AuthResult result = CreateRules.checkRoom(event, create, n);
        if (!result.isAllowed()) {
            return result;
        }
        result = CreateRules.checkFederate(event, create, n);
        if (!result.isAllowed()) {
            return result;
        }
        if (rules.aliasesRule() && ALIASES.equals(event.type())) {
            return checkAliases(event, n);
        }
        PowerLevels levels = PowerLevels.of(rules, state.get(StateKey.powerLevels()), create);
        AuthContext context = new AuthContext(event, state, create, levels, n);
        if (StateKey.MEMBER.equals(event.type())) {
            return MembershipRules.check(context, signatures);
        }
        return checkJoinedSender(context);
    }

    /**
     * Whether the {@code auth_events} of {@code event} are a proper selection (rule 2; 3 in
     * v12), taking none of them to be rejected.
     *
     * @param authEvents the events {@code event} lists as auth events, in any order
     * @throws IllegalArgumentException if an event the list names is not supplied
     */
    public static AuthResult checkAuthEvents(Pdu event, List<Pdu> authEvents) {
        return checkAuthEvents(event, authEvents, authEvent -> false);
    }

    /**
     * As {@link #checkAuthEvents(Pdu, List)}, with rule 2.3: an auth event that was itself
     * rejected rejects {@code event}.
     */
    public static AuthResult checkAuthEvents(Pdu event, List<Pdu> authEvents, Predicate<Pdu> wasRejected) {
        return AuthEventsRules.check(event, authEvents, wasRejected);
    }

    /** Rule 4 of v1-v5: a server may set the aliases under its own name, member or not. */
    private static AuthResult checkAliases(Pdu event, RuleNumbers n) {
        if (event.stateKey() == null) {
            return AuthResult.rejected(n.aliases(1), "m.room.aliases needs a state key");
        }
        if (!event.stateKey().equals(event.senderDomain())) {
            return AuthResult.rejected(n.aliases(2), "state key " + event.stateKey() + " is not the sender's domain");
        }
        return AuthResult.allowed();
    }

    /** The rules after the membership rule, for every event but a membership. */
    private static AuthResult checkJoinedSender(AuthContext c) {
        Pdu event = c.event();
        RuleNumbers n = c.n();
        if (!MembershipRules.JOIN.equals(c.membershipOf(event.sender()))) {
            return AuthResult.rejected(n.senderJoined(), event.sender() + " is not joined to the room");
        }
        long senderLevel = c.senderLevel();
        if (StateKey.THIRD_PARTY_INVITE.equals(event.type())) {
            return senderLevel >= c.levels().invite()
                    ? AuthResult.allowed()
                    : AuthResult.rejected(n.thirdPartyInvite(), event.sender() + " is below the invite level");
        }
        long required = c.levels().eventLevel(event.type(), event.isState());
        if (required > senderLevel) {
            return AuthResult.rejected(n.requiredPower(),
                    event.type() + " needs level " + required + ", " + event.sender() + " has " + senderLevel);
        }
        if (event.isState() && event.stateKey().startsWith("@") && !event.stateKey().equals(event.sender())) {
            return AuthResult.rejected(n.stateKeyIsUser(), "state key " + event.stateKey() + " is another user's");
        }
        if (StateKey.POWER_LEVELS.equals(event.type())) {
            return PowerLevelRules.check(c);
        }
        if (c.rules().redactionRule() && REDACTION.equals(event.type())) {
            return checkRedaction(c, senderLevel);
        }
        return AuthResult.allowed();
    }

    /** Rule 11 of v1-v2: the redact level, or a redaction from the server that sent the target. */
    private static AuthResult checkRedaction(AuthContext c, long senderLevel) {
        if (senderLevel >= c.levels().redact()) {
            return AuthResult.allowed();
        }
        String redacts = c.event().redacts();
        if (redacts != null && Pdu.domainOf(redacts).equals(Pdu.domainOf(c.event().eventId()))) {
            return AuthResult.allowed();
        }
        return AuthResult.rejected(c.n().redaction(),
                "below the redact level, and " + redacts + " is not from " + Pdu.domainOf(c.event().eventId()));
    }
}
