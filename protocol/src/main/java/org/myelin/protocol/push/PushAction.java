package org.myelin.protocol.push;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.List;

/**
 * What a matching push rule does (client-server API, "Actions"): {@code notify}, or
 * {@code set_tweak} with a tweak name and an optional value. The historical {@code dont_notify}
 * and {@code coalesce} are stripped when parsed, as the spec asks.
 */
public sealed interface PushAction {

    @JsonValue
    JsonNode toJson();

    /** The {@code notify} action. */
    record Notify() implements PushAction {
        @Override
        public JsonNode toJson() {
            return TextNode.valueOf("notify");
        }
    }

    /**
     * A {@code set_tweak} action, passed through as it came (clients and push gateways may agree
     * on tweaks of their own).
     *
     * @param raw the action object, with a string {@code set_tweak} and maybe a {@code value}
     */
    record SetTweak(ObjectNode raw) implements PushAction {
        public String tweak() {
            return raw.get("set_tweak").textValue();
        }

        /** The tweak's value, or null when it has none. */
        public JsonNode value() {
            return raw.get("value");
        }

        @Override
        public JsonNode toJson() {
            return raw.deepCopy();
        }
    }

    PushAction NOTIFY = new Notify();

    /** {@code {"set_tweak": "highlight"}}. */
    static PushAction highlight() {
        return new SetTweak(JsonNodeFactory.instance.objectNode().put("set_tweak", "highlight"));
    }

    /** {@code {"set_tweak": "sound", "value": sound}}. */
    static PushAction sound(String sound) {
        return new SetTweak(JsonNodeFactory.instance.objectNode().put("set_tweak", "sound").put("value", sound));
    }

    /**
     * Parses an actions array, dropping the historical actions. Throws
     * {@link IllegalArgumentException} for anything that is not a list of known actions.
     */
    static List<PushAction> parseAll(JsonNode actions) {
        if (actions == null || !actions.isArray()) {
            throw new IllegalArgumentException("'actions' must be an array");
        }
        List<PushAction> parsed = new ArrayList<>();
        for (JsonNode a : actions) {
            if (a.isTextual()) {
                switch (a.textValue()) {
                    case "notify" -> parsed.add(NOTIFY);
                    case "dont_notify", "coalesce" -> { } // historical: ignored
                    default -> throw new IllegalArgumentException("unrecognised action " + a);
                }
            } else if (a.isObject() && a.path("set_tweak").isTextual()) {
                parsed.add(new SetTweak(((ObjectNode) a).deepCopy()));
            } else {
                throw new IllegalArgumentException("unrecognised action " + a);
            }
        }
        return List.copyOf(parsed);
    }
}
