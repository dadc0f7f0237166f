package org.myelin.rooms.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.stateres.EventSource;
import org.myelin.storage.state.StateMap;
import org.myelin.storage.state.StateMaps;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * For the rooms resolved lately, U of each one's last state resolution: the events of the
 * unconflicted state map and their auth chains, which every full auth chain holds and the auth
 * difference leaves out (state resolution v2, "Auth difference"). In a room of ten thousand
 * members U holds them all, and walking it is most of a resolution's work; from one resolution of
 * a room to the next, U changes by a few events. So U is kept, with each event's references (being
 * in the unconflicted map, being an auth event of an event in U), and moved by the differences of
 * the unconflicted maps: an event joins with its auth chain, and leaves with the part of it
 * nothing else in U references.
 *
 * <p>Called under the room's lock: one resolution of a room at a time.
 */
final class UnconflictedAuthChains {

    /** How many events the kept sets may hold in all, over every room. */
    private static final long MAX_EVENTS = 200_000;

    private final EventSource events;
    private final Cache<String, Closure> byRoom = Caffeine.newBuilder().recordStats()
            .maximumWeight(MAX_EVENTS)
            .weigher((String room, Closure closure) -> closure.size())
            .build();

    UnconflictedAuthChains(EventSource events) {
        this.events = events;
    }

    /** Membership in U, for the unconflicted map {@code first} without the {@code conflicted} keys. */
    Predicate<String> of(String roomId, Map<StateKey, String> first, Set<StateKey> conflicted) {
        StateMap state = StateMaps.of(first);
        Closure closure = byRoom.getIfPresent(roomId);
        try {
            if (closure != null && closure.complete) {
                closure.moveTo(state, conflicted);
            } else {
                closure = new Closure();
                closure.build(state, conflicted);
            }
        } catch (RuntimeException | Error e) {
            // Half moved: not to be used again.
            byRoom.invalidate(roomId);
            throw e;
        }
        // Put again: its weight changed.
        byRoom.put(roomId, closure);
        Closure kept = closure;
        return kept::contains;
    }

    /** U with reference counts, for one unconflicted map. */
    private final class Closure {
        private final Map<String, Integer> references = new HashMap<>();
        private StateMap first = StateMap.empty();
        private Set<StateKey> conflicted = Set.of();
        /** False once an event was not found: its auth chain is not counted, so U is built anew next time. */
        private boolean complete = true;

        int size() {
            return references.size();
        }

        boolean contains(String eventId) {
            return references.containsKey(eventId);
        }

        void build(StateMap state, Set<StateKey> conflicts) {
            state.forEach((key, id) -> {
                if (!conflicts.contains(key)) {
                    add(id);
                }
            });
            first = state;
            conflicted = Set.copyOf(conflicts);
        }

        /** To the unconflicted map of {@code state} without {@code conflicts}, by the entries that changed. */
        void moveTo(StateMap state, Set<StateKey> conflicts) {
            Set<StateKey> keys = new HashSet<>(conflicted);
            keys.addAll(conflicts);
            StateMap.forEachDifference(first, state, keys::add);
            List<String> joining = new ArrayList<>();
            List<String> leaving = new ArrayList<>();
            for (StateKey key : keys) {
                String was = conflicted.contains(key) ? null : first.get(key);
                String now = conflicts.contains(key) ? null : state.get(key);
                if (!Objects.equals(was, now)) {
                    if (now != null) {
                        joining.add(now);
                    }
                    if (was != null) {
                        leaving.add(was);
                    }
                }
            }
            // Joins first: an auth chain shared by a leaving and a joining event is not walked twice.
            joining.forEach(this::add);
            leaving.forEach(this::remove);
            first = state;
            conflicted = Set.copyOf(conflicts);
        }

        private void add(String eventId) {
            Deque<String> todo = new ArrayDeque<>();
            todo.push(eventId);
            while (!todo.isEmpty()) {
                String id = todo.pop();
                if (references.merge(id, 1, Integer::sum) > 1) {
                    continue;
                }
                Pdu event = events.get(id);
                if (event == null) {
                    complete = false;
                    continue;
                }
                event.authEventIds().forEach(todo::push);
            }
        }

        private void remove(String eventId) {
            Deque<String> todo = new ArrayDeque<>();
            todo.push(eventId);
            while (!todo.isEmpty()) {
                String id = todo.pop();
                Integer count = references.get(id);
                if (count == null) {
                    complete = false;
                    continue;
                }
                if (count > 1) {
                    references.put(id, count - 1);
                    continue;
                }
                references.remove(id);
                Pdu event = events.get(id);
                if (event != null) {
                    event.authEventIds().forEach(todo::push);
                }
            }
        }
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("unconflicted_auth_chains", byRoom);
    }
}
