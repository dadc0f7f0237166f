package org.myelin.protocol.stateres;

import org.myelin.protocol.event.StateKey;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The auth difference of the state sets (v2 "Definitions"):
 *
 * <blockquote>The auth difference is calculated by first calculating the full auth chain for each
 * state S<sub>i</sub>, that is the union of the auth chains for each event in S<sub>i</sub>, and
 * then taking every event that doesn't appear in every auth chain. If C<sub>i</sub> is the full
 * auth chain of S<sub>i</sub>, then the auth difference is ∪ C<sub>i</sub> − ∩
 * C<sub>i</sub>.</blockquote>
 *
 * <p>The full auth chain of S<sub>i</sub> here holds the events of S<sub>i</sub> too, as Synapse
 * and Tuwunel compute it; it only changes the result for an unconflicted event that no other
 * unconflicted event cites, which is then never in the difference.
 *
 * <p>How it stays cheap on a large room whose forks differ in a few entries: the unconflicted
 * events and their auth chains (call them U) are in every C<sub>i</sub>, so none of U is in the
 * difference, and C<sub>i</sub> − U is the closure of just the <em>conflicted</em> events
 * S<sub>i</sub> holds, walked without entering U. U itself is walked once, each event once: linear
 * in the auth graph under the state, never per state entry.
 */
final class AuthDifference {

    private AuthDifference() {
    }

    static Set<String> of(List<Map<StateKey, String>> stateSets, StateSplit split, AuthChains chains) {
        return of(stateSets, split, chains, chains.closureExcept(split.unconflicted().values(), id -> false)::contains);
    }

    /**
     * As {@link #of(List, StateSplit, AuthChains)}, with U given as a membership test by a caller
     * that keeps it from one resolution to the next, rather than walked again.
     */
    static Set<String> of(List<Map<StateKey, String>> stateSets, StateSplit split, AuthChains chains,
                          Predicate<String> common) {
        List<Set<String>> own = new ArrayList<>(stateSets.size());
        for (Map<StateKey, String> stateSet : stateSets) {
            own.add(chains.closureExcept(split.conflictedEventsOf(stateSet), common));
        }
        Set<String> union = new HashSet<>();
        own.forEach(union::addAll);
        Set<String> difference = new HashSet<>();
        for (String id : union) {
            if (!inAll(own, id)) {
                difference.add(id);
            }
        }
        return difference;
    }

    private static boolean inAll(List<Set<String>> sets, String id) {
        for (Set<String> set : sets) {
            if (!set.contains(id)) {
                return false;
            }
        }
        return true;
    }
}
