package org.myelin.protocol.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server-default rules evaluated against events, as a table: which rule matches, and
 * whether the event notifies and highlights (client-server API, "Predefined Rules").
 */
class PushRuleEvaluatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALICE = "@alice:example.org";
    private static final String BOB = "@bob:example.org";
    private static final String MOD = "@mod:example.org";
    private static final PushRuleSet DEFAULTS = PushRuleSet.of(DefaultPushRules.forUser(ALICE), List.of());
    /** Moderators (and only they) may notify the room, as with the default power levels. */
    private static final PushContext.NotificationPermission MODS = (sender, key) -> sender.equals(MOD);
    private static final PushContext GROUP = new PushContext(5, "Alice Liddell", MODS);
    private static final PushContext ONE_TO_ONE = new PushContext(2, "Alice Liddell", MODS);

    record Case(String name, PushContext context, String event, String rule, boolean notifies, boolean highlights) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> table() {
        return Stream.of(
                new Case("a message in a group room", GROUP,
                        msg(BOB, "{\"msgtype\":\"m.text\",\"body\":\"hello\"}"), ".m.rule.message", true, false),
                new Case("a message in a 1:1 room rings the default sound", ONE_TO_ONE,
                        msg(BOB, "{\"msgtype\":\"m.text\",\"body\":\"hello\"}"), ".m.rule.room_one_to_one", true, false),
                new Case("a notice is suppressed", GROUP,
                        msg(BOB, "{\"msgtype\":\"m.notice\",\"body\":\"bot says\"}"), ".m.rule.suppress_notices", false, false),
                new Case("an encrypted event in a 1:1 room", ONE_TO_ONE,
                        event("m.room.encrypted", BOB, null, "{\"algorithm\":\"m.megolm.v1.aes-sha2\"}"),
                        ".m.rule.encrypted_room_one_to_one", true, false),
                new Case("an encrypted event in a group room", GROUP,
                        event("m.room.encrypted", BOB, null, "{\"algorithm\":\"m.megolm.v1.aes-sha2\"}"),
                        ".m.rule.encrypted", true, false),
                new Case("a call invite rings", GROUP,
                        event("m.call.invite", BOB, null, "{\"call_id\":\"1\"}"), ".m.rule.call", true, false),
                new Case("an invite for me", GROUP,
                        event("m.room.member", BOB, ALICE, "{\"membership\":\"invite\"}"), ".m.rule.invite_for_me", true, false),
                new Case("someone else's invite is a member event", GROUP,
                        event("m.room.member", BOB, "@carol:example.org", "{\"membership\":\"invite\"}"),
                        ".m.rule.member_event", false, false),
                new Case("a mention in m.mentions highlights", GROUP,
                        msg(BOB, "{\"body\":\"hi\",\"m.mentions\":{\"user_ids\":[\"" + ALICE + "\"]}}"),
                        ".m.rule.is_user_mention", true, true),
                new Case("someone else's mention is a plain message", GROUP,
                        msg(BOB, "{\"body\":\"hi alice\",\"m.mentions\":{\"user_ids\":[\"@carol:example.org\"]}}"),
                        ".m.rule.message", true, false),
                new Case("a room mention by a moderator highlights", GROUP,
                        msg(MOD, "{\"body\":\"all\",\"m.mentions\":{\"room\":true}}"), ".m.rule.is_room_mention", true, true),
                new Case("a room mention without the power is a plain message", GROUP,
                        msg(BOB, "{\"body\":\"all\",\"m.mentions\":{\"room\":true}}"), ".m.rule.message", true, false),
                new Case("legacy: the display name in a body without m.mentions", GROUP,
                        msg(BOB, "{\"body\":\"ask alice liddell!\"}"), ".m.rule.contains_display_name", true, true),
                new Case("legacy: @room from a moderator without m.mentions", GROUP,
                        msg(MOD, "{\"body\":\"@room meeting\"}"), ".m.rule.roomnotif", true, true),
                new Case("legacy: the localpart in a body without m.mentions", GROUP,
                        msg(BOB, "{\"body\":\"Alice: lunch?\"}"), ".m.rule.contains_user_name", true, true),
                new Case("legacy rules stay quiet when the event has m.mentions", GROUP,
                        msg(BOB, "{\"body\":\"Alice Liddell: lunch?\",\"m.mentions\":{}}"), ".m.rule.message", true, false),
                new Case("an edit is suppressed", GROUP,
                        msg(BOB, "{\"body\":\"* hi\",\"m.relates_to\":{\"rel_type\":\"m.replace\",\"event_id\":\"$x\"}}"),
                        ".m.rule.suppress_edits", false, false),
                new Case("a reaction is suppressed", GROUP,
                        event("m.reaction", BOB, null, "{\"m.relates_to\":{\"rel_type\":\"m.annotation\"}}"),
                        ".m.rule.reaction", false, false),
                new Case("a tombstone highlights", GROUP,
                        event("m.room.tombstone", BOB, "", "{\"body\":\"moved\"}"), ".m.rule.tombstone", true, true),
                new Case("a tombstone with a state key is not the tombstone rule", GROUP,
                        event("m.room.tombstone", BOB, "x", "{\"body\":\"moved\"}"), null, false, false),
                new Case("a server ACL change is suppressed", GROUP,
                        event("m.room.server_acl", BOB, "", "{\"allow\":[\"*\"]}"), ".m.rule.room.server_acl", false, false),
                new Case("a topic change matches nothing", GROUP,
                        event("m.room.topic", BOB, "", "{\"topic\":\"x\"}"), null, false, false),
                new Case("my own message never notifies", GROUP,
                        msg(ALICE, "{\"body\":\"hello\"}"), null, false, false)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void defaultRules(Case c) {
        PushActions actions = PushRuleEvaluator.evaluate(DEFAULTS, ALICE, parse(c.event()), c.context());
        assertEquals(c.rule(), actions.ruleId(), c.name());
        assertEquals(c.notifies(), actions.notifies(), c.name() + ": notifies");
        assertEquals(c.highlights(), actions.highlights(), c.name() + ": highlights");
    }

    @Test
    void oneToOneRulesGiveTheDefaultSound() {
        PushActions a = PushRuleEvaluator.evaluate(DEFAULTS, ALICE, parse(msg(BOB, "{\"body\":\"x\"}")), ONE_TO_ONE);
        assertEquals("default", a.sound().orElseThrow());
        PushActions call = PushRuleEvaluator.evaluate(DEFAULTS, ALICE,
                parse(event("m.call.invite", BOB, null, "{}")), GROUP);
        assertEquals("ring", call.sound().orElseThrow());
    }

    @Test
    void theMasterRuleSilencesEverythingWhenEnabled() {
        List<PushRule> defaults = DefaultPushRules.forUser(ALICE).stream()
                .map(r -> r.ruleId().equals(DefaultPushRules.MASTER) ? r.withEnabled(true) : r).toList();
        PushRuleSet rules = PushRuleSet.of(defaults, List.of(customOverride("loud", "m.room.message")));
        PushActions a = PushRuleEvaluator.evaluate(rules, ALICE, parse(msg(BOB, "{\"body\":\"x\"}")), GROUP);
        assertEquals(DefaultPushRules.MASTER, a.ruleId());
        assertFalse(a.notifies());
    }

    @Test
    void userRulesOutrankDefaultsOfTheirKindAndKindsGoInOrder() {
        PushRule room = new PushRule(RuleKind.ROOM, "!quiet:example.org", false, true, List.of(), null, List.of());
        PushRule sender = new PushRule(RuleKind.SENDER, BOB, false, true, List.of(), null,
                List.of(PushAction.NOTIFY, PushAction.highlight()));
        PushRule content = new PushRule(RuleKind.CONTENT, "cake", false, true, List.of(), "cake", List.of(PushAction.NOTIFY,
                PushAction.sound("cakealarm.wav")));
        PushRuleSet rules = PushRuleSet.of(DefaultPushRules.forUser(ALICE), List.of(room, sender, content));
        // content before room before sender
        assertEquals("cake", eval(rules, "!quiet:example.org", "{\"body\":\"I want cake\"}").ruleId());
        assertEquals("!quiet:example.org", eval(rules, "!quiet:example.org", "{\"body\":\"hi\"}").ruleId());
        PushActions fromBob = eval(rules, "!other:example.org", "{\"body\":\"hi\"}");
        assertEquals(BOB, fromBob.ruleId());
        assertTrue(fromBob.highlights());
        // a disabled rule never matches
        PushRuleSet disabled = PushRuleSet.of(DefaultPushRules.forUser(ALICE), List.of(sender.withEnabled(false)));
        assertEquals(".m.rule.message", eval(disabled, "!other:example.org", "{\"body\":\"hi\"}").ruleId());
    }

    @Test
    void unknownConditionsDisableTheirRule() {
        PushRule unknown = new PushRule(RuleKind.OVERRIDE, "future", false, true,
                List.of(PushCondition.parse(parse("{\"kind\":\"org.example.future\"}"))), null, List.of(PushAction.NOTIFY));
        PushRule incomplete = new PushRule(RuleKind.OVERRIDE, "incomplete", false, true,
                List.of(PushCondition.parse(parse("{\"kind\":\"event_match\",\"key\":\"type\"}"))), null,
                List.of(PushAction.NOTIFY));
        PushRuleSet rules = PushRuleSet.of(DefaultPushRules.forUser(ALICE), List.of(unknown, incomplete));
        assertEquals(".m.rule.message", eval(rules, "!r:example.org", "{\"body\":\"hi\"}").ruleId());
        assertEquals("{\"kind\":\"org.example.future\"}", unknown.conditions().getFirst().toJson().toString());
    }

    @Test
    void aRuleWithoutConditionsMatchesEverything() {
        PushRule all = customOverride("all", null);
        PushRuleSet rules = PushRuleSet.of(DefaultPushRules.forUser(ALICE), List.of(all));
        assertEquals("all", PushRuleEvaluator.evaluate(rules, ALICE,
                parse(event("m.room.topic", BOB, "", "{}")), GROUP).ruleId());
    }

    @Test
    void roomMemberCountComparisons() {
        Map<String, Boolean> atFive = Map.of("5", true, "==5", true, "<5", false, "<=5", true, ">4", true,
                ">=6", false, "x", false, "", false, "=5", false, "<-1", false);
        atFive.forEach((is, expected) -> assertEquals(expected, MemberCount.holds(is, 5), is));
    }

    @Test
    void displayNameMatchesLiterallyAndCaseInsensitively() {
        PushContext ctx = new PushContext(5, "A*b", null);
        PushCondition c = new PushCondition.ContainsDisplayName();
        assertTrue(PushRuleEvaluator.holds(c, parse(msg(BOB, "{\"body\":\"hey a*B!\"}")), ctx));
        assertFalse(PushRuleEvaluator.holds(c, parse(msg(BOB, "{\"body\":\"hey axxb\"}")), ctx));
        assertFalse(PushRuleEvaluator.holds(c, parse(msg(BOB, "{\"body\":\"hey\"}")), new PushContext(5, null, null)));
    }

    @Test
    void historicalActionsAreStripped() {
        List<PushAction> actions = PushAction.parseAll(parse("[\"dont_notify\",\"coalesce\",\"notify\",{\"set_tweak\":\"x\"}]"));
        assertEquals("[\"notify\",{\"set_tweak\":\"x\"}]", PushRule.actionsJson(actions).toString());
    }

    @Test
    void highlightFalseDoesNotHighlight() {
        PushActions a = new PushActions("r", PushAction.parseAll(parse(
                "[\"notify\",{\"set_tweak\":\"highlight\",\"value\":false}]")));
        assertTrue(a.notifies());
        assertFalse(a.highlights());
        assertNull(PushActions.NONE.ruleId());
    }

    private static PushActions eval(PushRuleSet rules, String roomId, String content) {
        String event = "{\"type\":\"m.room.message\",\"sender\":\"" + BOB + "\",\"room_id\":\"" + roomId
                + "\",\"content\":" + content + "}";
        return PushRuleEvaluator.evaluate(rules, ALICE, parse(event), GROUP);
    }

    private static PushRule customOverride(String id, String type) {
        List<PushCondition> conditions = type == null ? List.of()
                : List.of(new PushCondition.EventMatch("type", type));
        return new PushRule(RuleKind.OVERRIDE, id, false, true, conditions, null, List.of(PushAction.NOTIFY));
    }

    private static String msg(String sender, String content) {
        return event("m.room.message", sender, null, content);
    }

    private static String event(String type, String sender, String stateKey, String content) {
        return "{\"type\":\"" + type + "\",\"sender\":\"" + sender + "\",\"room_id\":\"!r:example.org\""
                + (stateKey == null ? "" : ",\"state_key\":\"" + stateKey + "\"") + ",\"content\":" + content + "}";
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }
}
