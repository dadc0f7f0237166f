package org.myelin.protocol.stateres;

import org.myelin.protocol.event.StateKey;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The full conflicted set (v2 "Definitions"): "the union of the conflicted state set and the auth
 * difference"; in state resolution v2.1 (room version 12) "the union of the conflicted state set,
 * the conflicted state subgraph, and the auth difference".
 *
 * <p>Events the event source does not have are left out, as every implementation does: nothing
 * can be known of them, not even whether they are state.
 */
final class FullConflictedSet {

    private FullConflictedSet() {
    }

    /**
     * @param common the unconflicted state map's events with their auth chains, as a membership
     *               test the caller keeps; null to walk them
     */
    static Set<String> of(List<Map<StateKey, String>> stateSets, StateSplit split, boolean withSubgraph,
                          AuthChains chains, ResolutionEvents events, Predicate<String> common) {
        Set<String> conflicted = split.conflictedEvents();
        Set<String> full = new HashSet<>(conflicted);
        full.addAll(common == null ? AuthDifference.of(stateSets, split, chains)
                : AuthDifference.of(stateSets, split, chains, common));
        if (withSubgraph) {
            full.addAll(ConflictedSubgraph.of(conflicted, chains, events));
        }
        full.removeIf(id -> events.get(id) == null);
        return full;
    }
}
