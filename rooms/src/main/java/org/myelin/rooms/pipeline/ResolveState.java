package org.myelin.rooms.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.stateres.ConflictHints;
import org.myelin.protocol.stateres.ResolvedChanges;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The state before an event: the state after its one prev event, or the resolution of the states
 * after each of them (room versions' "State resolution"), stored as a delta on the first.
 * Also the state after an event: the state before it with the event's own entry replaced.
 *
 * <p>States are persistent maps made one from another, so a resolution is told the keys where
 * they differ and U kept from the room's last one ({@link UnconflictedAuthChains}): it works in
 * proportion to the conflicts, not to the room's size.
 */
final class ResolveState {

    private final EventStates states;
    private final EventCache events;
    private final UnconflictedAuthChains unconflicted;

    ResolveState(EventStates states, EventCache events) {
        this.states = states;
        this.events = events;
        this.unconflicted = new UnconflictedAuthChains(events);
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
        Set<StateKey> differing = new HashSet<>();
        for (EventStates.State other : after.subList(1, after.size())) {
            StateMaps.forEachDifference(base.entries(), other.entries(), differing::add);
        }
        if (differing.isEmpty()) {
            return Optional.of(base);
        }
        List<Map<StateKey, String>> sets = after.stream().map(EventStates.State::entries).toList();
        ResolvedChanges resolved = StateResolver.resolveChanges(version, sets, events, new ConflictHints() {
            @Override
            public Set<StateKey> differingKeys() {
                return differing;
            }

            @Override
            public Predicate<String> unconflictedAuthClosure(Map<StateKey, String> first, Set<StateKey> conflicted) {
                return unconflicted.of(roomId, first, conflicted);
            }
        });
        return Optional.of(derive(base, resolved));
    }

    /** {@code resolved} over {@code base}, its first state set: only its conflicted keys looked at. */
    private static EventStates.State derive(EventStates.State base, ResolvedChanges resolved) {
        Map<StateKey, String> delta = new HashMap<>();
        for (StateKey key : resolved.conflicted()) {
            String now = resolved.entries().get(key);
            if (!Objects.equals(now, base.entries().get(key))) {
                delta.put(key, now);
            }
        }
        resolved.entries().forEach((key, id) -> {
            if (!id.equals(base.entries().get(key))) {
                delta.put(key, id);
            }
        });
        if (delta.isEmpty()) {
            return base;
        }
        Map<StateKey, String> full = StateMaps.with(base.entries(), delta);
        return new EventStates.State(StateSnapshot.child(base.snapshot(), delta, () -> full), full);
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

    /** The caches of this part's parts, by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return unconflicted.caches();
    }
}
