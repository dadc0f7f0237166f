package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.server.client.rooms.ClientEvents;
import org.myelin.server.client.sync.filter.SyncFilter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Room events as /sync returns them: the client format ({@link ClientEvents}) without
 * {@code room_id} ({@code ClientEventWithoutRoomID}), or the federation format when the filter
 * asks for it, cut down to the filter's {@code event_fields}; and stripped state events.
 */
public final class SyncEventFormat {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ClientEvents clientEvents;

    SyncEventFormat(ClientEvents clientEvents) {
        this.clientEvents = clientEvents;
    }

    /** {@code pdus} in order, as {@code userId}'s device {@code deviceId} sees them through {@code filter}. */
    public List<ObjectNode> format(Collection<Pdu> pdus, String userId, String deviceId, SyncFilter filter) {
        if (pdus.isEmpty()) {
            return List.of();
        }
        List<ObjectNode> formatted;
        if (filter.federationFormat()) {
            formatted = new ArrayList<>(pdus.size());
            for (Pdu pdu : pdus) {
                formatted.add(pdu.jsonCopy());
            }
        } else {
            formatted = clientEvents.format(pdus, userId, deviceId);
            formatted.forEach(e -> e.remove("room_id"));
        }
        if (filter.eventFields() == null) {
            return formatted;
        }
        List<ObjectNode> projected = new ArrayList<>(formatted.size());
        for (ObjectNode event : formatted) {
            projected.add(project(event, filter.eventFields()));
        }
        return projected;
    }

    /** See {@link ClientEvents#prepare}. */
    void prepare(Collection<String> roomIds, Collection<String> stateEventIds) {
        clientEvents.prepare(roomIds, stateEventIds);
    }

    /** A stripped state event (client-server API, "Stripped state"): sender, type, state key, content. */
    static ObjectNode stripped(Pdu pdu) {
        return stripped(pdu.json());
    }

    /** Strips any event-shaped JSON, as received in {@code invite_room_state}. */
    static ObjectNode stripped(JsonNode event) {
        ObjectNode s = JSON.objectNode();
        for (String key : List.of("content", "sender", "state_key", "type")) {
            if (event.has(key)) {
                s.set(key, event.get(key).deepCopy());
            }
        }
        return s;
    }

    /**
     * Keeps only the dotted paths of {@code fields} (spec appendix, "Dot-separated property paths":
     * a backslash escapes a dot or a backslash in a key).
     */
    static ObjectNode project(ObjectNode event, List<String> fields) {
        ObjectNode kept = JSON.objectNode();
        for (String field : fields) {
            List<String> path = splitPath(field);
            JsonNode value = event;
            for (String key : path) {
                value = value == null || !value.isObject() ? null : value.get(key);
            }
            if (value == null || path.isEmpty()) {
                continue;
            }
            ObjectNode into = kept;
            for (String key : path.subList(0, path.size() - 1)) {
                JsonNode child = into.get(key);
                into = child instanceof ObjectNode o ? o : into.putObject(key);
            }
            into.set(path.getLast(), value.deepCopy());
        }
        return kept;
    }

    private static List<String> splitPath(String field) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length()) {
                current.append(field.charAt(++i));
            } else if (c == '.') {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }
}
