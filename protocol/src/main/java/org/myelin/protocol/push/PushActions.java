package org.myelin.protocol.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of evaluating a user's push rules for an event: the actions of the first rule
 * that matched, or none.
 *
 * @param ruleId  the rule that matched, or null when none did
 * @param actions its actions
 */
public record PushActions(String ruleId, List<PushAction> actions) {

    /** No rule matched, or the event must not notify (the user sent it). */
    public static final PushActions NONE = new PushActions(null, List.of());

    public PushActions {
        actions = List.copyOf(actions);
    }

    /** Whether the event notifies the user (counts towards {@code notification_count}). */
    public boolean notifies() {
        return actions.stream().anyMatch(a -> a instanceof PushAction.Notify);
    }

    /**
     * Whether the event is highlighted (counts towards {@code highlight_count}): a
     * {@code highlight} tweak without a value, or with {@code true}. Only notifying events
     * count as highlights.
     */
    public boolean highlights() {
        return notifies() && tweak("highlight").map(v -> v.isMissingNode() || v.isNull() ? true : v.asBoolean(false))
                .orElse(false);
    }

    /** The {@code sound} tweak, if a string one is set. */
    public Optional<String> sound() {
        return tweak("sound").filter(JsonNode::isTextual).map(JsonNode::textValue);
    }

    /** The value of the last {@code set_tweak} named {@code name} (a missing node when it has none). */
    public Optional<JsonNode> tweak(String name) {
        JsonNode found = null;
        for (PushAction a : actions) {
            if (a instanceof PushAction.SetTweak t && t.tweak().equals(name)) {
                found = t.value() == null ? MissingNode.getInstance() : t.value();
            }
        }
        return Optional.ofNullable(found);
    }
}
