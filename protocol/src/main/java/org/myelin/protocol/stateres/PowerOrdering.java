package org.myelin.protocol.stateres;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.json.CanonicalJson;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Step 1 of state resolution v2 ("Algorithm"):
 *
 * <blockquote>Select the set X of all power events that appear in the full conflicted set. For each
 * such power event P, enlarge X by adding the events in the auth chain of P which also belong to
 * the full conflicted set. Sort X into a list using the reverse topological power
 * ordering.</blockquote>
 *
 * <p>The reverse topological power ordering ("Definitions") is "the lexicographically smallest
 * topological ordering based on the DAG formed by auth events", earliest first, found "using Kahn's
 * algorithm for topological sorting, and at each step selecting, among all the candidate vertices,
 * the smallest vertex" where x &lt; y if x's sender has <em>greater</em> power level (from x's own
 * auth events), then smaller {@code origin_server_ts}, then smaller {@code event_id}.
 *
 * <p>An event of X comes after every event of X in its auth chain (not only those it cites
 * directly), as the spec's "auth chain of P which also belong to the full conflicted set" reads.
 */
final class PowerOrdering {

    /** The tie-break of the ordering: x &lt; y as the spec defines it. */
    private record Rank(long senderPower, long originServerTs, String eventId) {
        static final Comparator<Rank> ORDER = Comparator.comparingLong((Rank r) -> r.senderPower).reversed()
                .thenComparingLong(r -> r.originServerTs)
                .thenComparing(r -> r.eventId, CanonicalJson.CODE_POINT_ORDER);
    }

    private PowerOrdering() {
    }

    /** X, sorted by the reverse topological power ordering. */
    static List<Pdu> sort(Set<String> fullConflicted, AuthChains chains, ResolutionEvents events, PowerLevelLookup power) {
        Set<String> x = select(fullConflicted, chains, events);
        Map<String, Integer> unplacedAuth = new HashMap<>();
        Map<String, List<String>> placedBefore = new HashMap<>();
        for (String id : x) {
            int count = 0;
            for (String authId : chains.of(id)) {
                if (x.contains(authId) && !authId.equals(id)) {
                    placedBefore.computeIfAbsent(authId, k -> new ArrayList<>()).add(id);
                    count++;
                }
            }
            unplacedAuth.put(id, count);
        }
        return kahn(x, unplacedAuth, placedBefore, events, power);
    }

    /** The power events of the full conflicted set, and the events of it in their auth chains. */
    static Set<String> select(Set<String> fullConflicted, AuthChains chains, ResolutionEvents events) {
        Set<String> x = new LinkedHashSet<>();
        for (String id : fullConflicted) {
            Pdu event = events.get(id);
            if (event != null && PowerEvents.isPowerEvent(event)) {
                x.add(id);
                for (String authId : chains.of(id)) {
                    if (fullConflicted.contains(authId)) {
                        x.add(authId);
                    }
                }
            }
        }
        return x;
    }

    private static List<Pdu> kahn(Set<String> x, Map<String, Integer> unplacedAuth,
                                  Map<String, List<String>> placedBefore, ResolutionEvents events,
                                  PowerLevelLookup power) {
        Map<String, Rank> ranks = new HashMap<>();
        PriorityQueue<Rank> candidates = new PriorityQueue<>(Rank.ORDER);
        for (String id : x) {
            Rank rank = rank(events.get(id), events, power);
            ranks.put(id, rank);
            if (unplacedAuth.get(id) == 0) {
                candidates.add(rank);
            }
        }
        List<Pdu> sorted = new ArrayList<>(x.size());
        while (!candidates.isEmpty()) {
            String id = candidates.poll().eventId();
            sorted.add(events.get(id));
            for (String later : placedBefore.getOrDefault(id, List.of())) {
                if (unplacedAuth.merge(later, -1, Integer::sum) == 0) {
                    candidates.add(ranks.get(later));
                }
            }
        }
        // Events on an auth_events cycle (impossible with hashed ids) never become candidates.
        return sorted;
    }

    private static Rank rank(Pdu event, ResolutionEvents events, PowerLevelLookup power) {
        long level = power.senderLevel(event, events.ownAuthEvents(event, false));
        return new Rank(level, event.originServerTs(), event.eventId());
    }
}
