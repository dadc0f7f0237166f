package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.ExtensionsRequest;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.ListFilters;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.ListRequest;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.Range;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.RoomScoped;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.ToDevice;
import org.myelin.server.http.MatrixException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a sliding sync body into a {@link SlidingSyncRequest}, checking it as Synapse's
 * {@code SlidingSyncBody} model does: each field holds the type MSC4186 gives it without
 * coercion, lists and subscriptions carry {@code required_state} and {@code timeline_limit}
 * (at most 1000), at most 100 lists named in at most 64 characters, ranges of two non-negative
 * integers. A body that fails is 400 M_BAD_JSON naming the field. Unknown fields (such as
 * {@code unsubscribe_rooms}, which Synapse ignores as well) and unknown extensions are ignored.
 */
final class SlidingSyncRequests {

    static final int MAX_LISTS = 100;
    static final int MAX_LIST_NAME = 64;
    private static final List<String> ALL = List.of("*");

    private SlidingSyncRequests() {
    }

    static SlidingSyncRequest parse(JsonNode body) {
        object(body, "the body");
        Map<String, ListRequest> lists = new LinkedHashMap<>();
        JsonNode listsNode = optional(body, "lists");
        if (listsNode != null) {
            object(listsNode, "lists");
            if (listsNode.size() > MAX_LISTS) {
                throw bad("lists", "at most " + MAX_LISTS + " lists");
            }
            listsNode.properties().forEach(e -> {
                if (e.getKey().length() > MAX_LIST_NAME) {
                    throw bad("lists", "list names have at most " + MAX_LIST_NAME + " characters");
                }
                lists.put(e.getKey(), list(e.getValue(), "lists." + e.getKey()));
            });
        }
        Map<String, RoomParams> subscriptions = new LinkedHashMap<>();
        JsonNode subsNode = optional(body, "room_subscriptions");
        if (subsNode != null) {
            object(subsNode, "room_subscriptions");
            subsNode.properties().forEach(e -> subscriptions.put(e.getKey(),
                    params(e.getValue(), "room_subscriptions." + e.getKey())));
        }
        JsonNode extensions = optional(body, "extensions");
        return new SlidingSyncRequest(string(optional(body, "conn_id"), "conn_id"), lists, subscriptions,
                extensions == null ? ExtensionsRequest.NONE : extensions(extensions));
    }

    private static ListRequest list(JsonNode node, String path) {
        RoomParams params = params(node, path);
        List<Range> ranges = null;
        JsonNode rangesNode = optional(node, "ranges");
        if (rangesNode != null) {
            array(rangesNode, path + ".ranges");
            ranges = new ArrayList<>();
            for (JsonNode range : rangesNode) {
                if (!range.isArray() || range.size() != 2 || !nonNegative(range.get(0)) || !nonNegative(range.get(1))) {
                    throw bad(path + ".ranges", "each range is two non-negative integers");
                }
                ranges.add(new Range(range.get(0).longValue(), range.get(1).longValue()));
            }
        }
        JsonNode filters = optional(node, "filters");
        return new ListRequest(ranges, params, filters == null ? ListFilters.NONE : filters(filters, path + ".filters"));
    }

    private static RoomParams params(JsonNode node, String path) {
        object(node, path);
        JsonNode required = node.get("required_state");
        if (required == null || !required.isArray()) {
            throw bad(path + ".required_state", "must be an array of [type, state_key]");
        }
        List<List<String>> pairs = new ArrayList<>();
        for (JsonNode pair : required) {
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
                throw bad(path + ".required_state", "must be an array of [type, state_key]");
            }
            pairs.add(List.of(pair.get(0).textValue(), pair.get(1).textValue()));
        }
        JsonNode limit = node.get("timeline_limit");
        if (limit == null || !limit.isIntegralNumber() || !limit.canConvertToInt() || limit.intValue() < 0
                || limit.intValue() > RoomParams.MAX_TIMELINE_LIMIT) {
            throw bad(path + ".timeline_limit", "must be an integer from 0 to " + RoomParams.MAX_TIMELINE_LIMIT);
        }
        return new RoomParams(limit.intValue(), RequiredState.of(pairs));
    }

    private static ListFilters filters(JsonNode node, String path) {
        object(node, path);
        return new ListFilters(bool(optional(node, "is_dm"), path + ".is_dm"),
                bool(optional(node, "is_encrypted"), path + ".is_encrypted"),
                bool(optional(node, "is_invite"), path + ".is_invite"),
                strings(optional(node, "room_types"), path + ".room_types", true),
                strings(optional(node, "not_room_types"), path + ".not_room_types", true),
                strings(optional(node, "spaces"), path + ".spaces", false));
    }

    private static ExtensionsRequest extensions(JsonNode node) {
        object(node, "extensions");
        ToDevice toDevice = null;
        JsonNode td = optional(node, "to_device");
        if (td != null && enabled(td, "extensions.to_device")) {
            JsonNode limit = optional(td, "limit");
            if (limit != null && !(limit.isIntegralNumber() && limit.canConvertToInt())) {
                throw bad("extensions.to_device.limit", "must be an integer");
            }
            String since = string(optional(td, "since"), "extensions.to_device.since");
            Long sincePosition = null;
            if (since != null) {
                try {
                    sincePosition = Long.parseLong(since);
                } catch (NumberFormatException e) {
                    throw bad("extensions.to_device.since", "is invalid (should look like an int)");
                }
            }
            toDevice = new ToDevice(limit == null ? 100 : limit.intValue(), sincePosition);
        }
        JsonNode e2ee = optional(node, "e2ee");
        return new ExtensionsRequest(toDevice, e2ee != null && enabled(e2ee, "extensions.e2ee"),
                roomScoped(optional(node, "account_data"), "extensions.account_data"),
                roomScoped(optional(node, "receipts"), "extensions.receipts"),
                roomScoped(optional(node, "typing"), "extensions.typing"));
    }

    private static RoomScoped roomScoped(JsonNode node, String path) {
        if (node == null || !enabled(node, path)) {
            return null;
        }
        // An absent key means every list (or subscription); an explicit null, none.
        List<String> lists = node.has("lists") ? strings(optional(node, "lists"), path + ".lists", false) : ALL;
        List<String> rooms = node.has("rooms") ? strings(optional(node, "rooms"), path + ".rooms", false) : ALL;
        return new RoomScoped(lists == null ? List.of() : lists, rooms == null ? List.of() : rooms);
    }

    private static boolean enabled(JsonNode extension, String path) {
        object(extension, path);
        return Boolean.TRUE.equals(bool(optional(extension, "enabled"), path + ".enabled"));
    }

    /** The field, or null when absent or JSON null. */
    private static JsonNode optional(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static Boolean bool(JsonNode node, String path) {
        if (node == null) {
            return null;
        }
        if (!node.isBoolean()) {
            throw bad(path, "must be a boolean");
        }
        return node.booleanValue();
    }

    private static String string(JsonNode node, String path) {
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            throw bad(path, "must be a string");
        }
        return node.textValue();
    }

    private static List<String> strings(JsonNode node, String path, boolean nullElements) {
        if (node == null) {
            return null;
        }
        array(node, path);
        List<String> values = new ArrayList<>();
        for (JsonNode v : node) {
            if (v.isTextual() || (nullElements && v.isNull())) {
                values.add(v.isNull() ? null : v.textValue());
            } else {
                throw bad(path, nullElements ? "must hold strings or null" : "must hold strings");
            }
        }
        return values;
    }

    private static boolean nonNegative(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0;
    }

    private static void object(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw bad(path, "must be an object");
        }
    }

    private static void array(JsonNode node, String path) {
        if (!node.isArray()) {
            throw bad(path, "must be an array");
        }
    }

    private static MatrixException bad(String path, String problem) {
        return MatrixException.badJson(path + ": " + problem);
    }
}
