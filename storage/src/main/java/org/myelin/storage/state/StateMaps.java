package org.myelin.storage.state;

import org.myelin.protocol.event.StateKey;

import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A room's whole state (state key to event id) as a persistent map ({@link StateMap}): the state
 * after an event is the state before it plus one entry, sharing everything else, so a state event
 * in a room of ten thousand members costs O(log n) time and memory rather than a copy of all of
 * them; and the keys where two such states differ are found in time proportional to their
 * differences.
 */
public final class StateMaps {

    private StateMaps() {
    }

    /** {@code state} as a persistent map: itself if it is one, else a copy (once). */
    public static StateMap of(Map<StateKey, String> state) {
        return StateMap.of(state);
    }

    /** {@code state} with {@code key} set to {@code eventId} (removed if null), sharing the rest. */
    public static StateMap with(Map<StateKey, String> state, StateKey key, String eventId) {
        StateMap base = of(state);
        return eventId == null ? base.minus(key) : base.plus(key, eventId);
    }

    /** {@code state} changed by {@code delta} (a null value removes the key), sharing the rest. */
    public static StateMap with(Map<StateKey, String> state, Map<StateKey, String> delta) {
        StateMap result = of(state);
        for (Map.Entry<StateKey, String> change : delta.entrySet()) {
            result = change.getValue() == null ? result.minus(change.getKey())
                    : result.plus(change.getKey(), change.getValue());
        }
        return result;
    }

    /**
     * Calls {@code differing} with each key whose entry is not the same in {@code a} and {@code b}:
     * in time proportional to the differences of two states made one from the other (see
     * {@link StateMap#forEachDifference}), else by comparing them whole.
     */
    public static void forEachDifference(Map<StateKey, String> a, Map<StateKey, String> b,
                                         Consumer<StateKey> differing) {
        if (a instanceof StateMap x && b instanceof StateMap y) {
            StateMap.forEachDifference(x, y, differing);
            return;
        }
        Set<StateKey> keys = new HashSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (StateKey key : keys) {
            if (!Objects.equals(a.get(key), b.get(key))) {
                differing.accept(key);
            }
        }
    }
}
