package org.myelin.server.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.http.Json;
import org.myelin.storage.push.PushActionRepository;
import org.myelin.storage.push.PushActionRepository.PushAction;
import org.myelin.storage.push.PusherRepository.StoredPusher;

import java.util.Optional;

/**
 * The body of {@code POST /_matrix/push/v1/notify} (push gateway API) for one push action of an
 * HTTP pusher, as Synapse's {@code HttpPusher} makes it: the event's fields (or, for the
 * {@code event_id_only} format, its id and room), {@code prio} high for an event that highlights,
 * makes a sound or is encrypted (its effect unknown) and low otherwise, the user's unread
 * {@code counts}, and one device: the pusher's app id, pushkey, {@code pushkey_ts} in seconds,
 * its {@code data} without {@code url}, and the actions' tweaks.
 */
final class GatewayNotifications {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final EventCache events;
    private final PushActionRepository actions;
    private final RoomNames names;

    GatewayNotifications(EventCache events, PushActionRepository actions, RoomNames names) {
        this.events = events;
        this.actions = actions;
        this.names = names;
    }

    /** The request body for {@code action} sent by {@code pusher}; empty when there is nothing to send. */
    Optional<ObjectNode> build(StoredPusher pusher, PushAction action) {
        JsonNode actionList = parse(action.actionsJson());
        Pdu event = events.get(action.eventId());
        if (event == null || !notifies(actionList)) {
            return Optional.empty();
        }
        ObjectNode tweaks = tweaks(actionList);
        ObjectNode data = (ObjectNode) parse(pusher.dataJson());
        data.remove("url");
        boolean eventIdOnly = "event_id_only".equals(data.path("format").asText(null));
        ObjectNode notification = JSON.objectNode();
        notification.put("event_id", event.eventId());
        notification.put("room_id", event.roomId());
        if (!eventIdOnly) {
            notification.put("type", event.type());
            notification.put("sender", event.sender());
        }
        notification.put("prio", highPriority(event, tweaks) ? "high" : "low");
        notification.set("counts", counts(pusher.userId()));
        if (!eventIdOnly) {
            describe(notification, event, pusher.userId());
        }
        ObjectNode device = notification.putArray("devices").addObject();
        device.put("app_id", pusher.appId());
        device.put("pushkey", pusher.pushkey());
        device.put("pushkey_ts", pusher.pushkeyTs() / 1000);
        device.set("data", data);
        if (!eventIdOnly && !tweaks.isEmpty()) {
            device.set("tweaks", tweaks);
        }
        ObjectNode body = JSON.objectNode();
        body.set("notification", notification);
        return Optional.of(body);
    }

    /** The event's own fields and the names of its sender and room. */
    private void describe(ObjectNode notification, Pdu event, String userId) {
        if (event.isState() && "m.room.member".equals(event.type())) {
            notification.put("membership", event.membership());
            notification.put("user_is_target", userId.equals(event.stateKey()));
        }
        if (!event.content().isEmpty()) {
            notification.set("content", event.content().deepCopy());
        }
        RoomNames.Names named = names.of(event, userId);
        if (named.senderDisplayName() != null && !named.senderDisplayName().isEmpty()) {
            notification.put("sender_display_name", named.senderDisplayName());
        }
        if (named.roomName() != null && !named.roomName().isEmpty()) {
            notification.put("room_name", named.roomName());
        }
    }

    /** The user's unread counts; zero counts are left out, as the push gateway API asks. */
    private ObjectNode counts(String userId) {
        PushActionRepository.UnreadCounts unread = actions.unreadCounts(userId);
        ObjectNode counts = JSON.objectNode();
        long messages = unread.notifications() + unread.invites();
        if (messages > 0) {
            counts.put("unread", messages);
        }
        if (unread.missedCalls() > 0) {
            counts.put("missed_calls", unread.missedCalls());
        }
        return counts;
    }

    private static boolean highPriority(Pdu event, ObjectNode tweaks) {
        return "m.room.encrypted".equals(event.type()) || truthy(tweaks.get("highlight")) || truthy(tweaks.get("sound"));
    }

    /** As Python's truth of a JSON value, which Synapse tests the tweaks with. */
    private static boolean truthy(JsonNode value) {
        if (value == null || value.isNull()) {
            return false;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual()) {
            return !value.textValue().isEmpty();
        }
        if (value.isNumber()) {
            return value.doubleValue() != 0;
        }
        return !value.isEmpty();
    }

    private static boolean notifies(JsonNode actionList) {
        for (JsonNode a : actionList) {
            if (a.isTextual() && a.textValue().equals("notify")) {
                return true;
            }
        }
        return false;
    }

    /** The {@code set_tweak} actions as a tweaks object; a tweak without a value is {@code true}. */
    static ObjectNode tweaks(JsonNode actionList) {
        ObjectNode tweaks = JSON.objectNode();
        for (JsonNode a : actionList) {
            if (a.isObject() && a.path("set_tweak").isTextual()) {
                JsonNode value = a.get("value");
                tweaks.set(a.get("set_tweak").textValue(), value == null ? BooleanNode.TRUE : value.deepCopy());
            }
        }
        return tweaks;
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is invalid: " + json, e);
        }
    }
}
