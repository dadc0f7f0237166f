package org.myelin.federation.membership;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.rooms.events.EventCache;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stripped state that travels with an invite ({@code invite_room_state}) or answers a knock
 * ({@code knock_room_state}) (client-server API, "Stripped state"): the room's create event,
 * name, avatar, topic, join rules, canonical alias and encryption, plus the sender's membership.
 * From room version 11 on, recommended as full PDUs; each entry is the event's type, state key,
 * sender and content, which every version's receiver reads.
 */
public final class StrippedState {

    /** Most entries of stripped state another server sends that are kept; the standard set has eight. */
    static final int MAX_ENTRIES = 100;
    /** Most bytes (canonical JSON) of stripped state another server sends that are kept: eight events at full size. */
    static final int MAX_BYTES = 8 * Pdu.MAX_EVENT_BYTES;

    private static final List<String> TYPES = List.of("m.room.create", "m.room.name", "m.room.avatar",
            "m.room.topic", "m.room.join_rules", "m.room.canonical_alias", "m.room.encryption");

    private final EventCache events;

    public StrippedState(EventCache events) {
        this.events = events;
    }

    /** The stripped state of {@code state} (a room's current state), with {@code sender}'s membership. */
    public List<ObjectNode> of(Map<StateKey, String> state, String sender) {
        List<ObjectNode> stripped = new ArrayList<>();
        for (String type : TYPES) {
            add(stripped, state.get(StateKey.of(type, "")));
        }
        if (sender != null) {
            add(stripped, state.get(StateKey.member(sender)));
        }
        return stripped;
    }

    private void add(List<ObjectNode> stripped, String eventId) {
        Pdu event = eventId == null ? null : events.get(eventId);
        if (event != null) {
            ObjectNode entry = event.jsonCopy();
            entry.remove("unsigned");
            stripped.add(entry);
        }
    }

    /**
     * Why stripped state another server sent ({@code invite_room_state}, {@code knock_room_state})
     * cannot be kept, or empty if it can: it travels beside an event, not in it, so it is bounded
     * on its own ({@link #MAX_ENTRIES} entries, each an object no larger than an event,
     * {@link #MAX_BYTES} in all).
     */
    static Optional<String> problemWith(ArrayNode entries) {
        if (entries.size() > MAX_ENTRIES) {
            return Optional.of("holds " + entries.size() + " events, over the limit of " + MAX_ENTRIES);
        }
        try {
            int bytes = CanonicalJson.encode(entries).length;
            if (bytes > MAX_BYTES) {
                return Optional.of("is " + bytes + " bytes, over the limit of " + MAX_BYTES);
            }
            for (JsonNode entry : entries) {
                if (!(entry instanceof ObjectNode) || CanonicalJson.encode(entry).length > Pdu.MAX_EVENT_BYTES) {
                    return Optional.of("holds something other than an event");
                }
            }
        } catch (RuntimeException e) {
            return Optional.of("is not canonical JSON: " + e.getMessage());
        }
        return Optional.empty();
    }
}
