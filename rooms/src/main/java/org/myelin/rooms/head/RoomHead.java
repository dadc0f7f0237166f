package org.myelin.rooms.head;

import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.storage.state.StateMaps;
import org.myelin.storage.state.StateSnapshot;

import java.util.List;
import java.util.Map;

/**
 * The head of a room's graph as this server sees it: the forward extremities (the next event's
 * {@code prev_events}), the current resolved state, and the deepest depth so far. Immutable; the
 * pipeline replaces it under the room's lock.
 *
 * @param currentState state key to event id, immutable (a persistent map)
 * @param snapshot     the stored form of {@code currentState} (possibly not yet written)
 */
public record RoomHead(String roomId, RoomVersion version, List<String> forwardExtremities,
                       Map<StateKey, String> currentState, StateSnapshot snapshot, long maxDepth) {

    public RoomHead {
        forwardExtremities = List.copyOf(forwardExtremities);
        // Shared with the state it came from, not copied: a big room's head changes with every event.
        currentState = StateMaps.of(currentState);
    }

    /** The current state with its stored form. */
    public EventStates.State state() {
        return new EventStates.State(snapshot, currentState);
    }
}
