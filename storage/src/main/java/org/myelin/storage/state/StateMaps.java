package org.myelin.storage.state;

import org.myelin.protocol.event.StateKey;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

import java.util.Map;

/**
 * A room's whole state (state key to event id) as a persistent map: the state after an event is
 * the state before it plus one entry, sharing everything else, so a state event in a room of
 * ten thousand members costs O(log n) time and memory rather than a copy of all of them.
 */
public final class StateMaps {

    private static final PMap<StateKey, String> EMPTY = HashTreePMap.empty();

    private StateMaps() {
    }

    /** {@code state} as a persistent map: itself if it is one, else a copy (once). */
    public static PMap<StateKey, String> of(Map<StateKey, String> state) {
        if (state instanceof PMap<StateKey, String> persistent) {
            return persistent;
        }
        return state.isEmpty() ? EMPTY : HashTreePMap.from(state);
    }

    /** {@code state} with {@code key} set to {@code eventId} (removed if null), sharing the rest. */
    public static PMap<StateKey, String> with(Map<StateKey, String> state, StateKey key, String eventId) {
        PMap<StateKey, String> base = of(state);
        return eventId == null ? base.minus(key) : base.plus(key, eventId);
    }

    /** {@code state} changed by {@code delta} (a null value removes the key), sharing the rest. */
    public static PMap<StateKey, String> with(Map<StateKey, String> state, Map<StateKey, String> delta) {
        PMap<StateKey, String> result = of(state);
        for (Map.Entry<StateKey, String> change : delta.entrySet()) {
            result = change.getValue() == null ? result.minus(change.getKey())
                    : result.plus(change.getKey(), change.getValue());
        }
        return result;
    }
}
