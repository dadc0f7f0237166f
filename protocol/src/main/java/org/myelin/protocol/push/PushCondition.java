package org.myelin.protocol.push;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A condition of an override or underride push rule (client-server API, "Conditions"). All of
 * a rule's conditions must hold for it to match. A condition of an unknown kind, or of a known
 * kind without its parameters, is kept as {@link Unknown}: it is given back to clients as it
 * came, and it never matches, which disables its rule, as the spec requires.
 */
public sealed interface PushCondition {

    /** The condition as rule sets carry it. */
    @JsonValue
    ObjectNode toJson();

    /**
     * Parses one condition. Throws {@link IllegalArgumentException} when it is not an object with
     * a string {@code kind}; anything else parses (see {@link Unknown}).
     */
    static PushCondition parse(JsonNode json) {
        if (json == null || !json.isObject() || !json.path("kind").isTextual()) {
            throw new IllegalArgumentException("a condition must be an object with a string 'kind'");
        }
        ObjectNode raw = ((ObjectNode) json).deepCopy();
        JsonNode key = json.get("key");
        boolean hasKey = key != null && key.isTextual();
        return switch (json.get("kind").textValue()) {
            case "event_match" -> hasKey && json.path("pattern").isTextual()
                    ? new EventMatch(key.textValue(), json.get("pattern").textValue()) : new Unknown(raw);
            case "event_property_is" -> hasKey && isScalar(json.get("value"))
                    ? new EventPropertyIs(key.textValue(), json.get("value")) : new Unknown(raw);
            case "event_property_contains" -> hasKey && isScalar(json.get("value"))
                    ? new EventPropertyContains(key.textValue(), json.get("value")) : new Unknown(raw);
            case "contains_display_name" -> new ContainsDisplayName();
            case "room_member_count" -> json.path("is").isTextual()
                    ? new RoomMemberCount(json.get("is").textValue()) : new Unknown(raw);
            case "sender_notification_permission" -> hasKey
                    ? new SenderNotificationPermission(key.textValue()) : new Unknown(raw);
            default -> new Unknown(raw);
        };
    }

    /** A value {@code event_property_is} and {@code event_property_contains} can compare: no arrays or objects. */
    private static boolean isScalar(JsonNode value) {
        return value != null && (value.isTextual() || value.isIntegralNumber() || value.isBoolean() || value.isNull());
    }

    /** A glob match on a property of the event ({@code event_match}). */
    record EventMatch(String key, String pattern) implements PushCondition {
        @Override
        public ObjectNode toJson() {
            return node("event_match").put("key", key).put("pattern", pattern);
        }
    }

    /** An exact match of a scalar property ({@code event_property_is}). */
    record EventPropertyIs(String key, JsonNode value) implements PushCondition {
        @Override
        public ObjectNode toJson() {
            ObjectNode n = node("event_property_is").put("key", key);
            n.set("value", value);
            return n;
        }
    }

    /** An array property holding a value ({@code event_property_contains}). */
    record EventPropertyContains(String key, JsonNode value) implements PushCondition {
        @Override
        public ObjectNode toJson() {
            ObjectNode n = node("event_property_contains").put("key", key);
            n.set("value", value);
            return n;
        }
    }

    /** The body mentions the user's display name in the room ({@code contains_display_name}, deprecated). */
    record ContainsDisplayName() implements PushCondition {
        @Override
        public ObjectNode toJson() {
            return node("contains_display_name");
        }
    }

    /** A comparison with the room's member count ({@code room_member_count}), such as {@code ">=10"}. */
    record RoomMemberCount(String is) implements PushCondition {
        @Override
        public ObjectNode toJson() {
            return node("room_member_count").put("is", is);
        }
    }

    /** The sender's power level allows notifications of {@code key} ({@code sender_notification_permission}). */
    record SenderNotificationPermission(String key) implements PushCondition {
        @Override
        public ObjectNode toJson() {
            return node("sender_notification_permission").put("key", key);
        }
    }

    /** A condition this server does not understand; it never matches. */
    record Unknown(ObjectNode raw) implements PushCondition {
        @Override
        public ObjectNode toJson() {
            return raw.deepCopy();
        }
    }

    private static ObjectNode node(String kind) {
        return JsonNodeFactory.instance.objectNode().put("kind", kind);
    }
}
