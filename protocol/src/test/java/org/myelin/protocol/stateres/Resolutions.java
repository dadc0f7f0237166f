package org.myelin.protocol.stateres;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Resolution helpers for tests: every order of the state sets must give the same state. */
final class Resolutions {

    private Resolutions() {
    }

    /**
     * The resolution of {@code states} by the standard rules, after checking that each order of
     * them resolves to the same state.
     */
    static Map<StateKey, String> resolveInEveryOrder(RoomVersion version, List<Map<StateKey, String>> states,
                                                     EventSource events) {
        Map<StateKey, String> first = null;
        for (List<Map<StateKey, String>> order : permutations(states)) {
            Map<StateKey, String> resolved = StateResolver.resolve(version, order, events);
            for (boolean exact : new boolean[] {true, false}) {
                Map<StateKey, String> changed = StateResolver.resolveChanges(version, order, events,
                        hints(order, events, exact)).applyTo(order.getFirst());
                assertEquals(resolved, changed, "resolution as a change with " + (exact ? "exact" : "wide") + " hints");
            }
            if (first == null) {
                first = resolved;
            } else {
                assertEquals(first, resolved, "resolution depends on the order of the state sets");
            }
        }
        return first;
    }

    /**
     * Hints as a caller keeping its states would give them: the keys that differ (or, not
     * {@code exact}, every key), and U walked whole.
     */
    static ConflictHints hints(List<Map<StateKey, String>> states, EventSource events, boolean exact) {
        Set<StateKey> keys = new HashSet<>();
        states.forEach(s -> keys.addAll(s.keySet()));
        if (exact) {
            keys.removeIf(k -> states.stream().allMatch(s -> Objects.equals(s.get(k), states.getFirst().get(k))));
        }
        return new ConflictHints() {
            @Override
            public Set<StateKey> differingKeys() {
                return keys;
            }

            @Override
            public Predicate<String> unconflictedAuthClosure(Map<StateKey, String> first, Set<StateKey> conflicted) {
                Set<String> closure = new HashSet<>();
                Deque<String> todo = new ArrayDeque<>();
                first.forEach((key, id) -> {
                    if (!conflicted.contains(key) && closure.add(id)) {
                        todo.push(id);
                    }
                });
                while (!todo.isEmpty()) {
                    Pdu event = events.get(todo.pop());
                    if (event != null) {
                        for (String auth : event.authEventIds()) {
                            if (closure.add(auth)) {
                                todo.push(auth);
                            }
                        }
                    }
                }
                return closure::contains;
            }
        };
    }

    static <T> List<List<T>> permutations(List<T> items) {
        if (items.size() <= 1) {
            return List.of(items);
        }
        List<List<T>> all = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T head = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> order = new ArrayList<>();
                order.add(head);
                order.addAll(tail);
                all.add(order);
            }
        }
        return all;
    }
}
