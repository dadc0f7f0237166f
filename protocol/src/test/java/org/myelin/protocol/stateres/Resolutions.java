package org.myelin.protocol.stateres;

import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
            if (first == null) {
                first = resolved;
            } else {
                assertEquals(first, resolved, "resolution depends on the order of the state sets");
            }
        }
        return first;
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
