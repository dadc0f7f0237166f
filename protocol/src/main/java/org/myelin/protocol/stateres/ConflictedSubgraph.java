package org.myelin.protocol.stateres;

import org.myelin.protocol.event.Pdu;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The conflicted state subgraph of state resolution v2.1 (room version 12, "Definitions"):
 *
 * <blockquote>Starting from an event in the conflicted state set and following
 * {@code auth_events} edges may lead to another event in the conflicted state set. The union of
 * all such paths between any pair of events in the conflicted state set (including endpoints)
 * forms a subgraph of the original {@code auth_event} graph, called the conflicted state
 * subgraph.</blockquote>
 *
 * <p>An event X is on such a path exactly when X is in the auth chain of a conflicted event and X
 * is, or has in its auth chain, a conflicted event. So: take R, the union of the auth chains of
 * the conflicted events; then walk from the conflicted events in R to the events of R that cite
 * them, and on. Linear in R. The conflicted events themselves are included as endpoints.
 */
final class ConflictedSubgraph {

    private ConflictedSubgraph() {
    }

    static Set<String> of(Set<String> conflicted, AuthChains chains, ResolutionEvents events) {
        Set<String> below = chains.unionOf(conflicted);
        Map<String, List<String>> citedBy = citedByWithin(below, conflicted, events);
        Set<String> subgraph = new HashSet<>(conflicted);
        Deque<String> todo = new ArrayDeque<>();
        for (String id : conflicted) {
            if (below.contains(id)) {
                todo.push(id);
            }
        }
        while (!todo.isEmpty()) {
            for (String citing : citedBy.getOrDefault(todo.pop(), List.of())) {
                if (below.contains(citing) && subgraph.add(citing)) {
                    todo.push(citing);
                }
            }
        }
        return subgraph;
    }

    /** For each event of {@code below}, the events of {@code below} and {@code tops} citing it. */
    private static Map<String, List<String>> citedByWithin(Set<String> below, Set<String> tops, ResolutionEvents events) {
        Map<String, List<String>> citedBy = new HashMap<>();
        Set<String> all = new HashSet<>(below);
        all.addAll(tops);
        for (String id : all) {
            Pdu event = events.get(id);
            if (event == null) {
                continue;
            }
            for (String authId : event.authEventIds()) {
                if (below.contains(authId)) {
                    citedBy.computeIfAbsent(authId, k -> new ArrayList<>(2)).add(id);
                }
            }
        }
        return citedBy;
    }
}
