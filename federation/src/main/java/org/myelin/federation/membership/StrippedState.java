package org.myelin.federation.membership;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The stripped state that travels with an invite ({@code invite_room_state}) or answers a knock
 * ({@code knock_room_state}) (client-server API, "Stripped state"): the room's create event,
 * name, avatar, topic, join rules, canonical alias and encryption, plus the sender's membership.
 * From room version 11 on, recommended as full PDUs; each entry is the event's type, state key,
 * sender and content, which every version's receiver reads.
 */
public final class StrippedState {

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
}
