package org.myelin.protocol.stateres;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * State resolution v2 (room versions 2 to 11, {@code rooms/v2}, "State resolution") and its
 * iteration v2.1 (room version 12): "The resolution of a set of states is obtained as follows":
 *
 * <ol>
 *   <li>sort the power events of the full conflicted set and their auth events in it
 *       ({@link PowerOrdering});</li>
 *   <li>apply the iterative auth checks to them, starting from the unconflicted state map, or in
 *       v2.1 from an <em>empty</em> state map ({@link IterativeAuthChecks});</li>
 *   <li>order the remaining events by the mainline of the resolved power levels
 *       ({@link MainlineOrdering});</li>
 *   <li>apply the iterative auth checks to them on the partially resolved state;</li>
 *   <li>lay the unconflicted state map over the result.</li>
 * </ol>
 *
 * <p>The full conflicted set of v2.1 also holds the conflicted state subgraph
 * ({@link ConflictedSubgraph}).
 */
final class StateResolutionV2 {

    private final AuthCheck auth;
    private final PowerLevelLookup power;
    private final ResolutionEvents events;
    private final AuthChains chains;

    StateResolutionV2(AuthCheck auth, PowerLevelLookup power, ResolutionEvents events, AuthChains chains) {
        this.auth = auth;
        this.power = power;
        this.events = events;
        this.chains = chains;
    }

    /** @param v21 whether to resolve by v2.1 (room version 12) rather than v2 */
    Map<StateKey, String> resolve(List<Map<StateKey, String>> stateSets, boolean v21) {
        StateSplit split = StateSplit.of(stateSets);
        if (split.conflicted().isEmpty()) {
            return split.unconflicted();
        }
        return partial(stateSets, split, v21, null).withUnconflicted(split.unconflicted());
    }

    /**
     * The resolution as a change to the first state set, with what the caller knows of the sets
     * ({@link ConflictHints}): in time proportional to their differences.
     */
    ResolvedChanges resolveChanges(List<Map<StateKey, String>> stateSets, boolean v21, ConflictHints hints) {
        StateSplit split = StateSplit.of(stateSets, hints.differingKeys());
        if (split.conflicted().isEmpty()) {
            return ResolvedChanges.NONE;
        }
        Predicate<String> common = hints.unconflictedAuthClosure(stateSets.get(0), split.conflicted().keySet());
        PartialState state = partial(stateSets, split, v21, common);
        return new ResolvedChanges(split.conflicted().keySet(), state.changesOutside(split.unconflicted()));
    }

    /** Steps 1 to 4: the partially resolved state, before the unconflicted map is laid over it. */
    private PartialState partial(List<Map<StateKey, String>> stateSets, StateSplit split, boolean v21,
                                 Predicate<String> common) {
        Set<String> fullConflicted = FullConflictedSet.of(stateSets, split, v21, chains, events, common);

        List<Pdu> powerSorted = PowerOrdering.sort(fullConflicted, chains, events, power);
        PartialState state = v21 ? PartialState.empty() : PartialState.over(split.unconflicted());
        IterativeAuthChecks.apply(powerSorted, state, events, auth);

        List<Pdu> remaining = remaining(fullConflicted, powerSorted);
        List<Pdu> mainlineSorted = MainlineOrdering.sort(remaining, state.get(StateKey.powerLevels()), events);
        IterativeAuthChecks.apply(mainlineSorted, state, events, auth);
        return state;
    }

    private List<Pdu> remaining(Set<String> fullConflicted, List<Pdu> picked) {
        Set<String> pickedIds = new HashSet<>();
        picked.forEach(event -> pickedIds.add(event.eventId()));
        List<Pdu> remaining = new ArrayList<>();
        for (String id : fullConflicted) {
            if (!pickedIds.contains(id)) {
                remaining.add(events.get(id));
            }
        }
        return remaining;
    }
}
