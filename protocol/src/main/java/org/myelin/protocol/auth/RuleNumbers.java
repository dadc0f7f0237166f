package org.myelin.protocol.auth;

import org.myelin.protocol.version.AuthRuleSet;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The numbers the spec gives the authorisation rules of one room version, worked out from its
 * {@link AuthRuleSet} switches, so a {@link AuthResult.Rejected} names the rule a reader finds in
 * that version's "Authorisation rules" list.
 *
 * <p>Rules are identified here by their place in the newest list (room version 12) and shifted
 * back for older versions: v12 inserts rule 2 (room id is the create event's) and rule 10.4
 * (creators not in {@code users}); v10 inserts 9.1 and 9.2 (integers only); v8 inserts 4.2
 * ({@code join_authorised_via_users_server}) and 4.3.5 (restricted); v7 inserts 4.7 (knock);
 * v1-v5 have rule 4 ({@code m.room.aliases}); v1-v2 have rule 11 (redaction).
 *
 * <p>Numbers follow the rendered spec. Where the Markdown source repeats or skips a number
 * (v12's "3.5" after "3.3", and its second "10." in rule 10), the rendered list counts on:
 * room id mismatch is 3.4 and "otherwise, allow" is 10.11.
 */
final class RuleNumbers {

    private static final Map<AuthRuleSet, RuleNumbers> CACHE = new ConcurrentHashMap<>();

    private final AuthRuleSet rules;
    private final int authEvents;
    private final int federate;
    private final int aliases;
    private final int member;
    private final int senderJoined;
    private final int thirdPartyInvite;
    private final int requiredPower;
    private final int stateKeyIsUser;
    private final int powerLevels;
    private final int redaction;

    private RuleNumbers(AuthRuleSet rules) {
        this.rules = rules;
        int n = rules.roomIdIsCreateEventHash() ? 3 : 2;
        authEvents = n;
        federate = ++n;
        aliases = rules.aliasesRule() ? ++n : -1;
        member = ++n;
        senderJoined = ++n;
        thirdPartyInvite = ++n;
        requiredPower = ++n;
        stateKeyIsUser = ++n;
        powerLevels = ++n;
        redaction = rules.redactionRule() ? ++n : -1;
    }

    static RuleNumbers of(AuthRuleSet rules) {
        // A handful of rule sets exist (one per room version family).
        return CACHE.computeIfAbsent(rules, RuleNumbers::new);
    }

    /** Rule 1.x, {@code m.room.create}: 1 prev events, 2 room id, 3 room version, 4 creator(s). */
    String create(int sub) {
        return "1." + sub;
    }

    /** Rule 2 of v12: the room id is the create event's id. */
    String roomIdIsCreateEvent() {
        return "2";
    }

    /** Rule 2.x (3.x in v12): 1 duplicates, 2 selection, 3 rejected, 4 no create, 5 other room. */
    String authEvents(int sub) {
        // v12 drops "no create" (4) and renders "other room" as 3.4.
        int n = rules.roomIdIsCreateEventHash() && sub == 5 ? 4 : sub;
        return authEvents + "." + n;
    }

    /** The rule that reads the create event from the state (2.4 before v12, 2 in v12). */
    String createInState() {
        return rules.roomIdIsCreateEventHash() ? roomIdIsCreateEvent() : authEvents(4);
    }

    String federate() {
        return Integer.toString(federate);
    }

    /** Rule 4.x of v1-v5, {@code m.room.aliases}: 1 no state key, 2 domain. */
    String aliases(int sub) {
        return aliases + "." + sub;
    }

    /**
     * The {@code m.room.member} rule {@code sub} as numbered from v8 on: 1 format, 2 authorised
     * via, 3 join, 4 invite, 5 leave, 6 ban, 7 knock, 8 unknown membership.
     */
    String member(int sub, int... deeper) {
        int n = sub;
        if (!rules.restrictedJoins() && sub >= 3) {
            n--;
        }
        if (!rules.knocking() && sub == 8) {
            n--;
        }
        StringBuilder s = new StringBuilder().append(member).append('.').append(n);
        for (int d : deeper) {
            s.append('.').append(d);
        }
        return s.toString();
    }

    /**
     * The join rule {@code sub} as numbered from v8 on: 1 creator, 2 sender is target, 3 banned,
     * 4 invite/knock, 5 restricted, 6 public, 7 otherwise.
     */
    String join(int sub, int... deeper) {
        int n = !rules.restrictedJoins() && sub >= 6 ? sub - 1 : sub;
        int[] path = new int[deeper.length + 1];
        path[0] = n;
        System.arraycopy(deeper, 0, path, 1, deeper.length);
        return member(3, path);
    }

    String senderJoined() {
        return Integer.toString(senderJoined);
    }

    String thirdPartyInvite() {
        return thirdPartyInvite + ".1";
    }

    String requiredPower() {
        return Integer.toString(requiredPower);
    }

    String stateKeyIsUser() {
        return Integer.toString(stateKeyIsUser);
    }

    /**
     * The {@code m.room.power_levels} rule {@code sub} as numbered in v12: 1 integer levels,
     * 2 integer maps, 3 users, 4 creators, 5 no previous, 6 levels changed, 7 events and
     * notifications removed, 8 added, 9 users removed, 10 users added.
     */
    String powerLevels(int sub, int... deeper) {
        int n = sub;
        if (!rules.creatorsHaveInfinitePower() && sub >= 5) {
            n--;
        }
        if (!rules.integerPowerLevels() && sub >= 3) {
            n -= 2;
        }
        StringBuilder s = new StringBuilder().append(powerLevels).append('.').append(n);
        for (int d : deeper) {
            s.append('.').append(d);
        }
        return s.toString();
    }

    /** Rule 11.3 of v1-v2: a redaction without the redact level or the target's domain. */
    String redaction() {
        return redaction + ".3";
    }
}
