package org.myelin.protocol.version;

/**
 * What the redaction algorithm keeps, as switches that changed between room versions
 * (client-server API, "Redactions", and each room version's "Redactions" section).
 *
 * @param keepOriginMembershipPrevState top-level {@code origin}, {@code membership}, {@code prev_state} (v1-v10)
 * @param keepAliasesContent            {@code aliases} of {@code m.room.aliases} (v1-v5)
 * @param keepJoinRulesAllow            {@code allow} of {@code m.room.join_rules} (v8+)
 * @param keepJoinAuthorisedVia         {@code join_authorised_via_users_server} of {@code m.room.member} (v9+)
 * @param keepAllCreateContent          all of {@code m.room.create}'s content, not just {@code creator} (v11+)
 * @param keepPowerLevelsInvite         {@code invite} of {@code m.room.power_levels} (v11+)
 * @param keepRedactionRedacts          {@code redacts} in the content of {@code m.room.redaction} (v11+)
 * @param keepThirdPartyInviteSigned    {@code third_party_invite.signed} of {@code m.room.member} (v11+)
 */
public record RedactionRules(
        boolean keepOriginMembershipPrevState,
        boolean keepAliasesContent,
        boolean keepJoinRulesAllow,
        boolean keepJoinAuthorisedVia,
        boolean keepAllCreateContent,
        boolean keepPowerLevelsInvite,
        boolean keepRedactionRedacts,
        boolean keepThirdPartyInviteSigned) {

    /** Room versions 1 to 5. */
    public static final RedactionRules V1 = new RedactionRules(true, true, false, false, false, false, false, false);
    /** Room versions 6 and 7: {@code m.room.aliases} is no longer special. */
    public static final RedactionRules V6 = new RedactionRules(true, false, false, false, false, false, false, false);
    /** Room version 8: keeps {@code allow} of join rules. */
    public static final RedactionRules V8 = new RedactionRules(true, false, true, false, false, false, false, false);
    /** Room versions 9 and 10: keeps {@code join_authorised_via_users_server}. */
    public static final RedactionRules V9 = new RedactionRules(true, false, true, true, false, false, false, false);
    /** Room versions 11 and 12. */
    public static final RedactionRules V11 = new RedactionRules(false, false, true, true, true, true, true, true);
}
