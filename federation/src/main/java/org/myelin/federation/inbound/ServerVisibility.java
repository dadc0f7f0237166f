package org.myelin.federation.inbound;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.Redaction;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.EventStates;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether another server may read an event (client-server API, "History visibility", applied to
 * servers as Synapse's {@code filter_events_for_server} does): where the room's history
 * visibility at the event is {@code joined}, only a server with a user joined in the state after
 * the event; where it is {@code invited}, also one with a user invited then; {@code shared} and
 * {@code world_readable} history is every server's in the room. An event a server may not read is
 * served redacted, not left out, so that its copy of the room's graph has no holes; the content
 * hash tells the server it was redacted.
 */
final class ServerVisibility {

    private static final StateKey HISTORY_VISIBILITY = StateKey.of("m.room.history_visibility", "");

    private final EventCache events;
    private final EventStates states;
    private final RoomAccess access;

    ServerVisibility(EventCache events, EventStates states, RoomAccess access) {
        this.events = events;
        this.states = states;
        this.access = access;
    }

    /** Each event as {@code server} may read it: whole, or redacted. */
    List<ObjectNode> asSeenBy(String server, List<Pdu> pdus) {
        List<ObjectNode> seen = new ArrayList<>(pdus.size());
        for (Pdu p : pdus) {
            seen.add(canSee(server, p) ? p.jsonCopy() : Redaction.redact(p.json(), p.roomVersion().redaction()));
        }
        return seen;
    }

    boolean canSee(String server, Pdu event) {
        Optional<EventStates.State> after = states.after(event.roomId(), event.eventId());
        if (after.isEmpty()) {
            return true; // no state known (an outlier): the default, shared
        }
        Map<StateKey, String> state = after.get().entries();
        String visibility = "shared";
        String visibilityEvent = state.get(HISTORY_VISIBILITY);
        Pdu setting = visibilityEvent == null ? null : events.get(visibilityEvent);
        if (setting != null && setting.content().path("history_visibility").isTextual()) {
            visibility = setting.content().path("history_visibility").textValue();
        }
        boolean invitedCount = visibility.equals("invited");
        if (!invitedCount && !visibility.equals("joined")) {
            return true;
        }
        Set<String> held = access.membershipsOf(server, state);
        return held.contains("join") || invitedCount && held.contains("invite");
    }
}
