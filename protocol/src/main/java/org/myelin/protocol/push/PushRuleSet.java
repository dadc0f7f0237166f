package org.myelin.protocol.push;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A user's push rules, each kind in priority order, most important first ({@code Ruleset} in
 * the API; the {@code global} ruleset, the only one the spec defines).
 *
 * <p>The order, per "Predefined Rules": {@code .m.rule.master} first of all; then, in each kind,
 * the user's own rules before the server-default rules of that kind.
 */
public final class PushRuleSet {

    private final Map<RuleKind, List<PushRule>> byKind;
    /** Kept: the evaluator walks it for every event each member is told of. */
    private final List<PushRule> inEvaluationOrder;

    private PushRuleSet(Map<RuleKind, List<PushRule>> byKind) {
        this.byKind = byKind;
        List<PushRule> all = new ArrayList<>();
        for (RuleKind kind : RuleKind.values()) {
            all.addAll(byKind.get(kind));
        }
        this.inEvaluationOrder = List.copyOf(all);
    }

    /**
     * Assembles a rule set.
     *
     * @param defaults the server-default rules (with the user's changes to enabled and actions),
     *                 each kind in spec order, as {@link DefaultPushRules#forUser} gives them
     * @param custom   the user's own rules, each kind in priority order
     */
    public static PushRuleSet of(List<PushRule> defaults, List<PushRule> custom) {
        Map<RuleKind, List<PushRule>> byKind = new EnumMap<>(RuleKind.class);
        for (RuleKind kind : RuleKind.values()) {
            byKind.put(kind, new ArrayList<>());
        }
        for (PushRule rule : defaults) {
            if (rule.ruleId().equals(DefaultPushRules.MASTER)) {
                byKind.get(rule.kind()).add(rule);
            }
        }
        for (PushRule rule : custom) {
            byKind.get(rule.kind()).add(rule);
        }
        for (PushRule rule : defaults) {
            if (!rule.ruleId().equals(DefaultPushRules.MASTER)) {
                byKind.get(rule.kind()).add(rule);
            }
        }
        byKind.replaceAll((kind, rules) -> List.copyOf(rules));
        return new PushRuleSet(Collections.unmodifiableMap(byKind));
    }

    /** The rules of {@code kind}, most important first. */
    public List<PushRule> rules(RuleKind kind) {
        return byKind.get(kind);
    }

    /** Every rule in the order the evaluator checks them. */
    public List<PushRule> inEvaluationOrder() {
        return inEvaluationOrder;
    }

    public Optional<PushRule> find(RuleKind kind, String ruleId) {
        return byKind.get(kind).stream().filter(r -> r.ruleId().equals(ruleId)).findFirst();
    }

    /** The rule set as {@code GET /pushrules/global/} gives it: one array per kind. */
    @JsonValue
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        for (RuleKind kind : RuleKind.values()) {
            ArrayNode rules = json.putArray(kind.wire());
            byKind.get(kind).forEach(r -> rules.add(r.toJson()));
        }
        return json;
    }

    @Override
    public String toString() {
        return toJson().toString();
    }
}
