package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.EventStates;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The stripped state of a room the user is invited to or knocked on (client-server API,
 * "Stripped state"): what a remote server sent with the event ({@code unsigned.invite_room_state}
 * or {@code knock_room_state}), else the room's create event, name, avatar, topic, join rules,
 * canonical alias and encryption after the event, with the sender's membership; always ending with
 * the invite or knock itself.
 */
public final class StrippedStates {

    private static final List<String> TYPES = List.of("m.room.create", "m.room.name", "m.room.avatar",
            "m.room.topic", "m.room.join_rules", "m.room.canonical_alias", "m.room.encryption");

    private final EventStates states;
    private final EventCache events;

    StrippedStates(EventStates states, EventCache events) {
        this.states = states;
        this.events = events;
    }

    /** The stripped state for {@code membership}, an invite or a knock. */
    public List<ObjectNode> of(Pdu membership) {
        List<ObjectNode> stripped = new ArrayList<>();
        String carriedKey = "knock".equals(membership.membership()) ? "knock_room_state" : "invite_room_state";
        JsonNode carried = membership.json().path("unsigned").path(carriedKey);
        if (carried.isArray() && !carried.isEmpty()) {
            carried.forEach(e -> stripped.add(SyncEventFormat.stripped(e)));
        } else {
            Map<StateKey, String> state = states.after(membership.roomId(), membership.eventId())
                    .map(EventStates.State::entries).orElse(Map.of());
            for (String type : TYPES) {
                add(stripped, state.get(StateKey.of(type, "")));
            }
            if (!membership.sender().equals(membership.stateKey())) {
                add(stripped, state.get(StateKey.member(membership.sender())));
            }
        }
        stripped.add(SyncEventFormat.stripped(membership));
        return stripped;
    }

    private void add(List<ObjectNode> stripped, String eventId) {
        Pdu event = eventId == null ? null : events.get(eventId);
        if (event != null) {
            stripped.add(SyncEventFormat.stripped(event));
        }
    }
}
