package org.myelin.protocol.stateres;

import org.myelin.protocol.event.StateKey;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A resolved state as a change to the first of the state sets resolved: without its
 * {@code conflicted} keys, plus {@code entries}. Unconflicted entries are the same in every set,
 * so the resolved state is told by its differences alone, however large the room.
 *
 * @param conflicted the keys the sets do not agree on
 * @param entries    what the resolution put under them (a conflicted key it left out is gone),
 *                   and under keys no set had
 */
public record ResolvedChanges(Set<StateKey> conflicted, Map<StateKey, String> entries) {

    /** Nothing to change: the sets agree. */
    public static final ResolvedChanges NONE = new ResolvedChanges(Set.of(), Map.of());

    public ResolvedChanges {
        conflicted = Set.copyOf(conflicted);
        entries = Map.copyOf(entries);
    }

    /** The whole resolved state, over {@code first}. */
    public Map<StateKey, String> applyTo(Map<StateKey, String> first) {
        Map<StateKey, String> result = new HashMap<>(first);
        conflicted.forEach(result::remove);
        result.putAll(entries);
        return result;
    }
}
