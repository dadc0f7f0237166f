package org.myelin.server.client.sync.filter;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.id.RoomId;
import org.myelin.protocol.id.UserId;
import org.myelin.server.http.MatrixException;

import java.util.List;
import java.util.function.Predicate;

/**
 * The shape of a filter (client-server API, "Filtering": {@code sync_filter.yaml},
 * {@code event_filter.yaml}, {@code room_filter.yaml}, {@code room_event_filter.yaml}), checked on
 * the JSON before it is bound, as Synapse checks its filter schema: each known key holds the type
 * the spec gives, without the coercions a binder makes ({@code "10"} or {@code 2.5} as a limit,
 * {@code 1} as a boolean, numbers as event types), and ids are ids. Unknown keys are let through.
 * A filter that fails is refused, 400 M_BAD_JSON, on upload or inline in /sync: never stored.
 */
final class FilterSchema {

    private static final List<String> EVENT_FORMATS = List.of("client", "federation");
    private static final List<String> ROOM_EVENT_FILTERS = List.of("timeline", "state", "ephemeral", "account_data");
    private static final List<String> ROOM_EVENT_FLAGS = List.of("contains_url", "lazy_load_members",
            "include_redundant_members", "unread_thread_notifications");

    private FilterSchema() {
    }

    /** Checks a filter definition; 400 M_BAD_JSON naming the first key that does not fit. */
    static void check(JsonNode filter) {
        object(filter, "the filter");
        strings(filter, "event_fields", "event_fields");
        JsonNode format = filter.get("event_format");
        if (format != null && !(format.isTextual() && EVENT_FORMATS.contains(format.textValue()))) {
            throw invalid("event_format", "must be 'client' or 'federation'");
        }
        eventFilter(filter.get("presence"), "presence");
        eventFilter(filter.get("account_data"), "account_data");
        JsonNode room = filter.get("room");
        if (room != null) {
            object(room, "room");
            ids(room, "rooms", "room.rooms", RoomId::isValid, "a room id");
            ids(room, "not_rooms", "room.not_rooms", RoomId::isValid, "a room id");
            flag(room, "include_leave", "room.include_leave");
            for (String part : ROOM_EVENT_FILTERS) {
                roomEventFilter(room.get(part), "room." + part);
            }
        }
    }

    /** An {@code EventFilter}: limit, types, senders. */
    private static void eventFilter(JsonNode filter, String path) {
        if (filter == null) {
            return;
        }
        object(filter, path);
        JsonNode limit = filter.get("limit");
        if (limit != null && !(limit.isIntegralNumber() && limit.canConvertToInt() && limit.intValue() >= 0)) {
            throw invalid(path + ".limit", "must be a non-negative integer");
        }
        strings(filter, "types", path + ".types");
        strings(filter, "not_types", path + ".not_types");
        ids(filter, "senders", path + ".senders", UserId::isValid, "a user id");
        ids(filter, "not_senders", path + ".not_senders", UserId::isValid, "a user id");
    }

    /** A {@code RoomEventFilter}: an {@code EventFilter} with rooms and flags. */
    private static void roomEventFilter(JsonNode filter, String path) {
        eventFilter(filter, path);
        if (filter == null) {
            return;
        }
        ids(filter, "rooms", path + ".rooms", RoomId::isValid, "a room id");
        ids(filter, "not_rooms", path + ".not_rooms", RoomId::isValid, "a room id");
        for (String key : ROOM_EVENT_FLAGS) {
            flag(filter, key, path + "." + key);
        }
    }

    private static void object(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw invalid(path, "must be a JSON object");
        }
    }

    private static void flag(JsonNode parent, String key, String path) {
        JsonNode value = parent.get(key);
        if (value != null && !value.isBoolean()) {
            throw invalid(path, "must be true or false");
        }
    }

    private static void strings(JsonNode parent, String key, String path) {
        ids(parent, key, path, s -> true, "a string");
    }

    /** A list of strings each of which {@code valid} accepts ({@code what} names them in the error). */
    private static void ids(JsonNode parent, String key, String path, Predicate<String> valid, String what) {
        JsonNode list = parent.get(key);
        if (list == null) {
            return;
        }
        if (!list.isArray()) {
            throw invalid(path, "must be a list");
        }
        for (JsonNode item : list) {
            if (!item.isTextual() || !valid.test(item.textValue())) {
                throw invalid(path, "holds " + item + ", which is not " + what);
            }
        }
    }

    private static MatrixException invalid(String path, String problem) {
        return MatrixException.badJson("Invalid filter: " + path + " " + problem);
    }
}
