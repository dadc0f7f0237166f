package org.myelin.protocol.push;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Evaluates a user's push rules against an event (client-server API, "Push Rules" and
 * "Conditions"): the rules are checked in priority order (see {@link PushRuleSet}); disabled
 * rules never match; the first rule that matches gives the actions. No rule matching means no
 * notification, and a user is never notified of their own events.
 *
 * <p>Pure: what the conditions need to know about the room comes in a {@link PushContext}. The
 * event is its JSON, in the federation or the client format (only {@code type},
 * {@code state_key}, {@code sender}, {@code room_id} and {@code content} are read).
 *
 * <pre>{@code
 * PushActions a = PushRuleEvaluator.evaluate(rules, "@alice:example.org", event.json(), context);
 * if (a.notifies()) { notificationCount++; if (a.highlights()) { highlightCount++; } }
 * }</pre>
 */
public final class PushRuleEvaluator {

    private static final String BODY = "content.body";
    private static final PropertyPath BODY_PATH = PropertyPath.parse(BODY);

    private PushRuleEvaluator() {
    }

    /** The actions {@code userId}'s rules give for {@code event}; {@link PushActions#NONE} if no rule matches. */
    public static PushActions evaluate(PushRuleSet rules, String userId, JsonNode event, PushContext context) {
        if (userId.equals(text(event.get("sender")))) {
            return PushActions.NONE; // "Homeservers MUST NOT notify ... for events that the user has sent themselves."
        }
        JsonNode content = event.get("content");
        boolean hasMentions = content != null && content.isObject() && content.has("m.mentions");
        for (PushRule rule : rules.inEvaluationOrder()) {
            if (!rule.enabled()) {
                continue;
            }
            if (hasMentions && DefaultPushRules.LEGACY_MENTION_RULES.contains(rule.ruleId())) {
                continue;
            }
            if (matches(rule, event, context)) {
                return new PushActions(rule.ruleId(), rule.actions());
            }
        }
        return PushActions.NONE;
    }

    /** Whether {@code rule} matches {@code event}, whether or not it is enabled. */
    public static boolean matches(PushRule rule, JsonNode event, PushContext context) {
        return switch (rule.kind()) {
            case OVERRIDE, UNDERRIDE -> allHold(rule, event, context);
            case CONTENT -> {
                String body = text(BODY_PATH.resolve(event));
                yield body != null && Glob.matchesWords(rule.pattern(), body);
            }
            case ROOM -> rule.ruleId().equals(text(event.get("room_id")));
            case SENDER -> rule.ruleId().equals(text(event.get("sender")));
        };
    }

    private static boolean allHold(PushRule rule, JsonNode event, PushContext context) {
        for (PushCondition c : rule.conditions()) { // a loop, not a stream: this runs per rule per event per member
            if (!holds(c, event, context)) {
                return false;
            }
        }
        return true;
    }

    /** Whether one condition holds for {@code event}. */
    public static boolean holds(PushCondition condition, JsonNode event, PushContext context) {
        return switch (condition) {
            case PushCondition.EventMatch m -> {
                String value = text(PropertyPath.of(m.key()).resolve(event));
                if (value == null) {
                    yield false;
                }
                yield m.key().equals(BODY) ? Glob.matchesWords(m.pattern(), value) : Glob.matchesWhole(m.pattern(), value);
            }
            case PushCondition.EventPropertyIs is -> sameScalar(PropertyPath.of(is.key()).resolve(event), is.value());
            case PushCondition.EventPropertyContains c -> {
                JsonNode array = PropertyPath.of(c.key()).resolve(event);
                if (array == null || !array.isArray()) {
                    yield false;
                }
                for (JsonNode element : array) {
                    if (sameScalar(element, c.value())) {
                        yield true;
                    }
                }
                yield false;
            }
            case PushCondition.ContainsDisplayName d -> {
                String body = text(BODY_PATH.resolve(event));
                String name = context.displayName();
                yield body != null && name != null && !name.isBlank() && Glob.containsWords(name, body);
            }
            case PushCondition.RoomMemberCount count -> MemberCount.holds(count.is(), context.memberCount());
            case PushCondition.SenderNotificationPermission p -> {
                String sender = text(event.get("sender"));
                yield sender != null && context.permission().allows(sender, p.key());
            }
            case PushCondition.Unknown u -> false;
        };
    }

    /**
     * Exact equality of non-compound canonical JSON values: strings, integers, booleans and null,
     * without casting between types.
     */
    static boolean sameScalar(JsonNode actual, JsonNode expected) {
        if (actual == null || expected == null) {
            return false;
        }
        if (actual.isTextual() && expected.isTextual()) {
            return actual.textValue().equals(expected.textValue());
        }
        if (actual.isBoolean() && expected.isBoolean()) {
            return actual.booleanValue() == expected.booleanValue();
        }
        if (actual.isNull() && expected.isNull()) {
            return true;
        }
        if (actual.isIntegralNumber() && expected.isIntegralNumber()) {
            return actual.bigIntegerValue().equals(expected.bigIntegerValue());
        }
        return false;
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }
}
