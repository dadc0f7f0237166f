package org.myelin.protocol.stateres;

import org.myelin.protocol.event.StateKey;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state sets to resolve, split into the unconflicted state map and the conflicted state set
 * (v2 "Definitions"):
 *
 * <blockquote>If a given key K is present in every S<sub>i</sub> with the same value V in each
 * state map, then the pair (K, V) belongs to the unconflicted state map. Otherwise, V belongs to
 * the conflicted state set.</blockquote>
 *
 * <p>Linear in the size of the state sets: each key of each set is looked at once or twice.
 *
 * @param unconflicted the unconflicted state map
 * @param conflicted   for each conflicted key, the event ids the state sets hold for it
 */
record StateSplit(Map<StateKey, String> unconflicted, Map<StateKey, Set<String>> conflicted) {

    /** The split of state resolution v2: a key missing from some state set is conflicted. */
    static StateSplit of(List<Map<StateKey, String>> stateSets) {
        Map<StateKey, String> first = stateSets.get(0);
        Map<StateKey, String> unconflicted = new HashMap<>(first.size() * 4 / 3 + 1);
        Map<StateKey, Set<String>> conflicted = new HashMap<>();
        for (Map.Entry<StateKey, String> entry : first.entrySet()) {
            if (inEverySet(stateSets, entry.getKey(), entry.getValue())) {
                unconflicted.put(entry.getKey(), entry.getValue());
            } else {
                conflicted.put(entry.getKey(), valuesOf(stateSets, entry.getKey()));
            }
        }
        for (Map<StateKey, String> set : stateSets.subList(1, stateSets.size())) {
            for (StateKey key : set.keySet()) {
                if (!first.containsKey(key) && !conflicted.containsKey(key)) {
                    conflicted.put(key, valuesOf(stateSets, key));
                }
            }
        }
        return new StateSplit(unconflicted, conflicted);
    }

    /** The conflicted state set: every event id of every conflicted key. */
    Set<String> conflictedEvents() {
        Set<String> events = new LinkedHashSet<>();
        conflicted.values().forEach(events::addAll);
        return Collections.unmodifiableSet(events);
    }

    /** The conflicted events {@code stateSet} holds. */
    Set<String> conflictedEventsOf(Map<StateKey, String> stateSet) {
        Set<String> events = new LinkedHashSet<>();
        for (StateKey key : conflicted.keySet()) {
            String id = stateSet.get(key);
            if (id != null) {
                events.add(id);
            }
        }
        return events;
    }

    private static boolean inEverySet(List<Map<StateKey, String>> stateSets, StateKey key, String value) {
        for (int i = 1; i < stateSets.size(); i++) {
            if (!value.equals(stateSets.get(i).get(key))) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> valuesOf(List<Map<StateKey, String>> stateSets, StateKey key) {
        Set<String> values = new LinkedHashSet<>();
        for (Map<StateKey, String> set : stateSets) {
            String id = set.get(key);
            if (id != null) {
                values.add(id);
            }
        }
        return values;
    }
}
