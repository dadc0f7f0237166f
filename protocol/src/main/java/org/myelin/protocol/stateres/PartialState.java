package org.myelin.protocol.stateres;

import org.myelin.protocol.event.StateKey;

import java.util.HashMap;
import java.util.Map;

/**
 * A partially resolved state: the entries the iterative auth checks set, over a base map they
 * start from (the unconflicted state map in v2, nothing in v2.1). The base is never copied, so a
 * resolution of a few conflicts in a room of many members stays cheap.
 */
final class PartialState {

    private final Map<StateKey, String> base;
    private final Map<StateKey, String> changes = new HashMap<>();

    private PartialState(Map<StateKey, String> base) {
        this.base = base;
    }

    static PartialState over(Map<StateKey, String> base) {
        return new PartialState(base);
    }

    static PartialState empty() {
        return new PartialState(Map.of());
    }

    String get(StateKey key) {
        String id = changes.get(key);
        return id != null ? id : base.get(key);
    }

    void put(StateKey key, String eventId) {
        changes.put(key, eventId);
    }

    /** The base with the changes laid over it. */
    Map<StateKey, String> toMap() {
        Map<StateKey, String> result = new HashMap<>((base.size() + changes.size()) * 4 / 3 + 1);
        result.putAll(base);
        result.putAll(changes);
        return result;
    }

    /**
     * Step 5 of the algorithm: "Update the result by replacing any event with the event with the
     * same key from the unconflicted state map, if such an event exists, to get the final
     * resolved state." The base is either empty or the unconflicted map itself, so the result is
     * the changes with the unconflicted map laid over them.
     */
    /**
     * Step 5 as a change to a state set the unconflicted map is part of: the entries set here
     * whose keys the unconflicted map does not have (those it has, it replaces).
     */
    Map<StateKey, String> changesOutside(Map<StateKey, String> unconflicted) {
        Map<StateKey, String> result = new HashMap<>();
        changes.forEach((key, id) -> {
            if (!unconflicted.containsKey(key)) {
                result.put(key, id);
            }
        });
        return result;
    }

    Map<StateKey, String> withUnconflicted(Map<StateKey, String> unconflicted) {
        Map<StateKey, String> result = new HashMap<>((unconflicted.size() + changes.size()) * 4 / 3 + 1);
        result.putAll(changes);
        result.putAll(unconflicted);
        return result;
    }
}
