package org.myelin.protocol.push;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One push rule (client-server API, "Push Rules"; {@code PushRule} in the API). Override and
 * underride rules match by their {@code conditions}; content rules by their {@code pattern}
 * against {@code content.body}; room and sender rules by their id, which is the room id or the
 * sender's user id.
 *
 * @param isDefault  whether it is a server-default rule (its id starts with a dot)
 * @param conditions the conditions of an override or underride rule; empty for other kinds
 * @param pattern    the glob of a content rule; null for other kinds
 */
public record PushRule(RuleKind kind, String ruleId, boolean isDefault, boolean enabled,
                       List<PushCondition> conditions, String pattern, List<PushAction> actions) {

    public PushRule {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(ruleId, "ruleId");
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        actions = List.copyOf(actions);
        if (kind == RuleKind.CONTENT) {
            Objects.requireNonNull(pattern, "a content rule needs a pattern");
        }
    }

    /** Whether {@code ruleId} names a server-default rule: those, and only those, start with a dot. */
    public static boolean isServerDefaultId(String ruleId) {
        return ruleId.startsWith(".");
    }

    public PushRule withEnabled(boolean value) {
        return new PushRule(kind, ruleId, isDefault, value, conditions, pattern, actions);
    }

    public PushRule withActions(List<PushAction> value) {
        return new PushRule(kind, ruleId, isDefault, enabled, conditions, pattern, value);
    }

    /**
     * Parses a rule in the form of the spec's definitions and of rule sets ({@code rule_id},
     * {@code default}, {@code enabled}, {@code conditions} or {@code pattern}, {@code actions}).
     */
    public static PushRule parse(RuleKind kind, JsonNode json) {
        List<PushCondition> conditions = new ArrayList<>();
        if (kind.hasConditions()) {
            for (JsonNode c : json.path("conditions")) {
                conditions.add(PushCondition.parse(c));
            }
        }
        String pattern = kind == RuleKind.CONTENT ? json.path("pattern").asText() : null;
        return new PushRule(kind, json.get("rule_id").asText(), json.path("default").asBoolean(false),
                json.path("enabled").asBoolean(true), conditions, pattern, PushAction.parseAll(json.get("actions")));
    }

    /** The rule as {@code GET /pushrules/...} and {@code m.push_rules} give it. */
    @JsonValue
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("rule_id", ruleId).put("default", isDefault).put("enabled", enabled);
        if (kind.hasConditions()) {
            ArrayNode c = json.putArray("conditions");
            conditions.forEach(condition -> c.add(condition.toJson()));
        }
        if (pattern != null) {
            json.put("pattern", pattern);
        }
        json.set("actions", actionsJson(actions));
        return json;
    }

    /** An actions list as JSON. */
    public static ArrayNode actionsJson(List<PushAction> actions) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        actions.forEach(action -> a.add(action.toJson()));
        return a;
    }
}
