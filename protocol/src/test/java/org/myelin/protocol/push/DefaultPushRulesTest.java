package org.myelin.protocol.push;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server-default rules: ids and order as the spec lists them, the user put in. */
class DefaultPushRulesTest {

    @Test
    void rulesAreTheSpecsInItsOrder() {
        PushRuleSet set = PushRuleSet.of(DefaultPushRules.forUser("@alice:example.org"), List.of());
        assertEquals(List.of(".m.rule.master", ".m.rule.suppress_notices", ".m.rule.invite_for_me",
                ".m.rule.member_event", ".m.rule.is_user_mention", ".m.rule.contains_display_name",
                ".m.rule.is_room_mention", ".m.rule.roomnotif", ".m.rule.tombstone", ".m.rule.reaction",
                ".m.rule.room.server_acl", ".m.rule.suppress_edits"), ids(set, RuleKind.OVERRIDE));
        assertEquals(List.of(".m.rule.contains_user_name"), ids(set, RuleKind.CONTENT));
        assertEquals(List.of(), ids(set, RuleKind.ROOM));
        assertEquals(List.of(), ids(set, RuleKind.SENDER));
        assertEquals(List.of(".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one",
                ".m.rule.message", ".m.rule.encrypted"), ids(set, RuleKind.UNDERRIDE));
        assertTrue(set.inEvaluationOrder().stream().allMatch(PushRule::isDefault));
        assertFalse(set.find(RuleKind.OVERRIDE, DefaultPushRules.MASTER).orElseThrow().enabled());
    }

    @Test
    void theUserIsSubstitutedForThePlaceholders() {
        PushRuleSet set = PushRuleSet.of(DefaultPushRules.forUser("@alice:example.org"), List.of());
        assertEquals("{\"rule_id\":\".m.rule.contains_user_name\",\"default\":true,\"enabled\":true,"
                        + "\"pattern\":\"alice\",\"actions\":[\"notify\",{\"set_tweak\":\"sound\",\"value\":\"default\"},"
                        + "{\"set_tweak\":\"highlight\"}]}",
                set.find(RuleKind.CONTENT, ".m.rule.contains_user_name").orElseThrow().toJson().toString());
        assertEquals("{\"kind\":\"event_property_contains\",\"key\":\"content.m\\\\.mentions.user_ids\","
                        + "\"value\":\"@alice:example.org\"}",
                set.find(RuleKind.OVERRIDE, ".m.rule.is_user_mention").orElseThrow().conditions().getFirst()
                        .toJson().toString());
        assertEquals("@alice:example.org", ((PushCondition.EventMatch) set.find(RuleKind.OVERRIDE,
                ".m.rule.invite_for_me").orElseThrow().conditions().get(2)).pattern());
    }

    @Test
    void userRulesGoAfterTheMasterRuleAndBeforeTheOtherDefaults() {
        PushRule mine = new PushRule(RuleKind.OVERRIDE, "mine", false, true, List.of(), null, List.of());
        PushRule underride = new PushRule(RuleKind.UNDERRIDE, "low", false, true, List.of(), null, List.of());
        PushRuleSet set = PushRuleSet.of(DefaultPushRules.forUser("@alice:example.org"), List.of(mine, underride));
        assertEquals(List.of(".m.rule.master", "mine", ".m.rule.suppress_notices"),
                ids(set, RuleKind.OVERRIDE).subList(0, 3));
        assertEquals("low", ids(set, RuleKind.UNDERRIDE).getFirst());
    }

    private static List<String> ids(PushRuleSet set, RuleKind kind) {
        return set.rules(kind).stream().map(PushRule::ruleId).toList();
    }
}
