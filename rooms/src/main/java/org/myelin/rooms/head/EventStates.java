package org.myelin.rooms.head;

import org.myelin.protocol.event.StateKey;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.state.StateMaps;
import org.myelin.storage.state.StateSnapshot;
import org.myelin.storage.state.StateSnapshotRepository;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state after each event of a room's graph, as a snapshot handle and its contents. The
 * states of events queued for their commit are held until it (the store has no snapshot for them
 * yet, and the next events are built on them); those of committed events are kept while recently
 * used, since the next event's {@code prev_events} are almost always among them.
 */
public final class EventStates {

    /** How many states of committed events are kept. */
    private static final int RECENT = 4096;

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
    /**
     * Least recently used first out, not Caffeine's frequency-based admission: the state needed
     * next is the one just made (or an extremity's, read at every event), which admission by
     * frequency may turn away; each state turned away was read back whole from the store.
     */
    private final Map<String, State> recent = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
            return size() > RECENT;
        }
    });
    private final Map<String, State> pending = new ConcurrentHashMap<>();

    public EventStates(EventRepository events, StateSnapshotRepository snapshots) {
        this.events = events;
        this.snapshots = snapshots;
    }

    /** The state after {@code eventId}, if the event has a place in the graph. */
    public Optional<State> after(String roomId, String eventId) {
        Optional<State> known = remembered(eventId);
        if (known.isPresent()) {
            return known;
        }
        Long snapshotId = events.stateAfter(List.of(eventId)).get(eventId);
        if (snapshotId == null) {
            return Optional.empty();
        }
        State loaded = load(roomId, snapshotId);
        recent.put(eventId, loaded);
        return Optional.of(loaded);
    }

    /** The state after {@code eventId} if it is held or still remembered; never reads the store. */
    public Optional<State> remembered(String eventId) {
        State queued = pending.get(eventId);
        return Optional.ofNullable(queued != null ? queued : recent.get(eventId));
    }

    /** The state a stored snapshot holds. */
    public State load(String roomId, long snapshotId) {
        return new State(snapshots.find(roomId, snapshotId), snapshots.load(snapshotId));
    }

    /** Holds the state after an event queued for its commit, until {@link #committed} or {@link #forget}. */
    public void remember(String eventId, State state) {
        pending.put(eventId, state);
    }

    /** The event is committed: its state is kept while recently used. */
    public void committed(String eventId) {
        State state = pending.get(eventId);
        if (state != null) {
            recent.put(eventId, state);
            pending.remove(eventId, state);
        }
    }

    public void forget(String eventId) {
        pending.remove(eventId);
        recent.remove(eventId);
    }

    /** How many states are held for their events' commits. */
    public int pendingCount() {
        return pending.size();
    }
}
