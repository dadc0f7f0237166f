package org.myelin.protocol.version;

/**
 * The authorisation-rule switches that differ between room versions (each room version's
 * "Authorisation rules" section). The rules themselves live once, in {@code protocol.auth};
 * they branch on these switches, never on a version string.
 *
 * @param redactionRule              rule 11 of v1/v2: redactions need the redact level or the original's domain
 * @param aliasesRule                v1-v5: {@code m.room.aliases} is allowed when the state key is the sender's domain
 * @param createNeedsCreator         v1-v10: {@code m.room.create} must have {@code content.creator}
 * @param notificationsPowerLevels   v6+: changes to {@code notifications} in power levels are checked
 * @param knocking                   v7+: the {@code knock} membership and join rule
 * @param restrictedJoins            v8+: the {@code restricted} join rule
 * @param knockRestrictedJoins       v10+: the {@code knock_restricted} join rule
 * @param integerPowerLevels         v10+: power levels must be integers, not strings
 * @param creatorIsCreateSender      v11+: the room creator is the create event's sender
 * @param roomIdIsCreateEventHash    v12+: the room id is the create event's id; create is never an auth event
 * @param creatorsHaveInfinitePower  v12+: creators (sender and {@code additional_creators}) outrank every power level
 * @param strictCanonicalJson        v6+: events must be valid canonical JSON (integers in range)
 */
public record AuthRuleSet(
        boolean redactionRule,
        boolean aliasesRule,
        boolean createNeedsCreator,
        boolean notificationsPowerLevels,
        boolean knocking,
        boolean restrictedJoins,
        boolean knockRestrictedJoins,
        boolean integerPowerLevels,
        boolean creatorIsCreateSender,
        boolean roomIdIsCreateEventHash,
        boolean creatorsHaveInfinitePower,
        boolean strictCanonicalJson) {

    /** Room versions 1 and 2. */
    public static final AuthRuleSet V1 = new AuthRuleSet(true, true, true, false, false, false, false, false, false, false, false, false);
    /** Room versions 3 to 5: redactions leave the auth rules. */
    public static final AuthRuleSet V3 = V1.withRedactionRule(false);
    /** Room version 6: aliases leave the auth rules; notifications levels and strict JSON arrive. */
    public static final AuthRuleSet V6 = new AuthRuleSet(false, false, true, true, false, false, false, false, false, false, false, true);
    /** Room version 7: knocking. */
    public static final AuthRuleSet V7 = new AuthRuleSet(false, false, true, true, true, false, false, false, false, false, false, true);
    /** Room versions 8 and 9: restricted joins. */
    public static final AuthRuleSet V8 = new AuthRuleSet(false, false, true, true, true, true, false, false, false, false, false, true);
    /** Room version 10: knock_restricted and integer-only power levels. */
    public static final AuthRuleSet V10 = new AuthRuleSet(false, false, true, true, true, true, true, true, false, false, false, true);
    /** Room version 11: the creator is the create event's sender. */
    public static final AuthRuleSet V11 = new AuthRuleSet(false, false, false, true, true, true, true, true, true, false, false, true);
    /** Room version 12: room ids from the create event, creators with infinite power. */
    public static final AuthRuleSet V12 = new AuthRuleSet(false, false, false, true, true, true, true, true, true, true, true, true);

    private AuthRuleSet withRedactionRule(boolean value) {
        return new AuthRuleSet(value, aliasesRule, createNeedsCreator, notificationsPowerLevels, knocking,
                restrictedJoins, knockRestrictedJoins, integerPowerLevels, creatorIsCreateSender,
                roomIdIsCreateEventHash, creatorsHaveInfinitePower, strictCanonicalJson);
    }
}
