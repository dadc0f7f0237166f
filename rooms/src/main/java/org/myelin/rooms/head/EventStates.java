package org.myelin.rooms.head;

import org.myelin.protocol.event.StateKey;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.state.StateMaps;
import org.myelin.storage.state.StateSnapshot;
import org.myelin.storage.state.StateSnapshotRepository;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The state after each event of a room's graph, as a snapshot handle and its contents. Recent
 * events are remembered, since the next event's {@code prev_events} are almost always among them.
 */
public final class EventStates {

    /**
     * A state: its stored handle and what it holds, as a persistent map, so that the states after
     * consecutive events share all but their differences.
     */
    public record State(StateSnapshot snapshot, Map<StateKey, String> entries) {
        public State {
            entries = StateMaps.of(entries);
        }
    }

    private final EventRepository events;
    private final StateSnapshotRepository snapshots;
    private final Map<String, State> recent = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
            return size() > 4096;
        }
    });

    public EventStates(EventRepository events, StateSnapshotRepository snapshots) {
        this.events = events;
        this.snapshots = snapshots;
    }

    /** The state after {@code eventId}, if the event has a place in the graph. */
    public Optional<State> after(String roomId, String eventId) {
        State known = recent.get(eventId);
        if (known != null) {
            return Optional.of(known);
        }
        Long snapshotId = events.stateAfter(java.util.List.of(eventId)).get(eventId);
        if (snapshotId == null) {
            return Optional.empty();
        }
        State loaded = load(roomId, snapshotId);
        recent.put(eventId, loaded);
        return Optional.of(loaded);
    }

    /** The state after {@code eventId} if it is still remembered; never reads the store. */
    public Optional<State> remembered(String eventId) {
        return Optional.ofNullable(recent.get(eventId));
    }

    /** The state a stored snapshot holds. */
    public State load(String roomId, long snapshotId) {
        return new State(snapshots.find(roomId, snapshotId), snapshots.load(snapshotId));
    }

    /** Remembers the state after an event being persisted. */
    public void remember(String eventId, State state) {
        recent.put(eventId, state);
    }

    public void forget(String eventId) {
        recent.remove(eventId);
    }
}
