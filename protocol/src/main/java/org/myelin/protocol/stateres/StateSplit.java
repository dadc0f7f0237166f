package org.myelin.protocol.stateres;

import org.myelin.protocol.event.StateKey;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
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
 * <p>Linear in the size of the state sets: each key of each set is looked at once or twice; or,
 * when the caller knows which keys may differ ({@link #of(List, Set)}), linear in those keys: the
 * unconflicted state map is then the first set seen without the conflicted keys, not a copy.
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

    /**
     * The split when every key whose entries are not the same in all the sets is among
     * {@code differing} (keys that are the same everywhere may be there too): only those are
     * looked at.
     */
    static StateSplit of(List<Map<StateKey, String>> stateSets, Set<StateKey> differing) {
        Map<StateKey, String> first = stateSets.get(0);
        Map<StateKey, Set<String>> conflicted = new HashMap<>();
        for (StateKey key : differing) {
            String value = first.get(key);
            if (value == null || !inEverySet(stateSets, key, value)) {
                Set<String> values = valuesOf(stateSets, key);
                if (!values.isEmpty()) {
                    conflicted.put(key, values);
                }
            }
        }
        return new StateSplit(new Without(first, conflicted.keySet()), conflicted);
    }

    /** A map seen without some of its keys. */
    private static final class Without extends AbstractMap<StateKey, String> {
        private final Map<StateKey, String> map;
        private final Set<StateKey> left;
        private Set<Entry<StateKey, String>> entries;

        Without(Map<StateKey, String> map, Set<StateKey> left) {
            this.map = map;
            this.left = left;
        }

        @Override
        public String get(Object key) {
            return left.contains(key) ? null : map.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public Set<Entry<StateKey, String>> entrySet() {
            if (entries == null) {
                int gone = 0;
                for (StateKey key : left) {
                    if (map.containsKey(key)) {
                        gone++;
                    }
                }
                int size = map.size() - gone;
                entries = new AbstractSet<>() {
                    @Override
                    public Iterator<Entry<StateKey, String>> iterator() {
                        return map.entrySet().stream().filter(e -> !left.contains(e.getKey())).iterator();
                    }

                    @Override
                    public int size() {
                        return size;
                    }
                };
            }
            return entries;
        }
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
