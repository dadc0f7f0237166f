package org.myelin.rooms.pipeline;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.stateres.StateResolver;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.EventStates;
import org.myelin.storage.state.StateMaps;
import org.myelin.storage.state.StateSnapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The state before an event: the state after its one prev event, or the resolution of the states
 * after each of them (room versions' "State resolution"), stored as a delta on the first.
 * Also the state after an event: the state before it with the event's own entry replaced.
 */
final class ResolveState {

    private final EventStates states;
    private final EventCache events;

    ResolveState(EventStates states, EventCache events) {
        this.states = states;
        this.events = events;
    }

    /** The state before {@code pdu}, or empty if the state after one of its prev events is unknown. */
    Optional<EventStates.State> before(Pdu pdu) {
        return resolve(pdu.roomId(), pdu.roomVersion(), pdu.prevEventIds());
    }

    /**
     * Whether the states after {@code pdu}'s prev events are all known here (held, remembered or
     * stored), so that the state before it can be worked out without asking another server.
     */
    boolean knowsStateBefore(Pdu pdu) {
        if (pdu.prevEventIds().isEmpty()) {
            return false;
        }
        for (String prev : new LinkedHashSet<>(pdu.prevEventIds())) {
            if (states.after(pdu.roomId(), prev).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** The resolution of the states after {@code eventIds}, or empty if one is unknown. */
    Optional<EventStates.State> resolve(String roomId, RoomVersion version, List<String> eventIds) {
        List<EventStates.State> after = new ArrayList<>();
        for (String prev : new LinkedHashSet<>(eventIds)) {
            Optional<EventStates.State> state = states.after(roomId, prev);
            if (state.isEmpty()) {
                return Optional.empty();
            }
            after.add(state.get());
        }
        if (after.isEmpty()) {
            return Optional.empty();
        }
        EventStates.State base = after.getFirst();
        if (after.stream().allMatch(s -> s.entries().equals(base.entries()))) {
            return Optional.of(base);
        }
        Map<StateKey, String> resolved = StateResolver.resolve(version,
                after.stream().map(EventStates.State::entries).toList(), events);
        return Optional.of(derive(base, resolved));
    }

    /** The state after {@code pdu} given the state before it: one entry changed, the rest shared. */
    static EventStates.State after(Pdu pdu, EventStates.State before) {
        if (!pdu.isState()) {
            return before;
        }
        StateKey key = new StateKey(pdu.type(), pdu.stateKey());
        Map<StateKey, String> full = StateMaps.with(before.entries(), key, pdu.eventId());
        StateSnapshot snapshot = StateSnapshot.child(before.snapshot(), Map.of(key, pdu.eventId()), () -> full);
        return new EventStates.State(snapshot, full);
    }

    /** {@code target} stored as a delta on {@code base}. */
    static EventStates.State derive(EventStates.State base, Map<StateKey, String> target) {
        Map<StateKey, String> delta = new HashMap<>();
        Set<StateKey> keys = new HashSet<>(base.entries().keySet());
        keys.addAll(target.keySet());
        for (StateKey key : keys) {
            String was = base.entries().get(key);
            String now = target.get(key);
            if (now == null ? was != null : !now.equals(was)) {
                delta.put(key, now);
            }
        }
        if (delta.isEmpty()) {
            return base;
        }
        Map<StateKey, String> full = StateMaps.with(base.entries(), delta);
        return new EventStates.State(StateSnapshot.child(base.snapshot(), delta, () -> full), full);
    }
}
