package org.myelin.storage.state;

import org.myelin.protocol.event.StateKey;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A room's state (state key to event id) as a persistent map: a hash array mapped trie (Bagwell's
 * HAMT, as in Clojure's PersistentHashMap). A changed copy shares every node but the few on the
 * changed keys' paths, so the state after an event costs O(log n) time and memory, not a copy of
 * the room.
 *
 * <p>What a general persistent map does not give: {@link #forEachDifference}, the keys where two
 * maps differ, in time proportional to their differences when one was made from the other (or
 * both from a third), since a subtree they share is the same object and is skipped. State
 * resolution of two forks of a room of ten thousand members that differ in three entries looks at
 * those three, not at ten thousand.
 */
public final class StateMap extends AbstractMap<StateKey, String> {

    private static final StateMap EMPTY = new StateMap(StateTrie.BitmapNode.EMPTY, 0);

    private final StateTrie.Node root;
    private final int size;
    private Set<Entry<StateKey, String>> entries;

    private StateMap(StateTrie.Node root, int size) {
        this.root = root;
        this.size = size;
    }

    public static StateMap empty() {
        return EMPTY;
    }

    /** {@code map} as a state map: itself if it is one, else a copy. */
    public static StateMap of(Map<StateKey, String> map) {
        if (map instanceof StateMap state) {
            return state;
        }
        StateMap result = EMPTY;
        for (Entry<StateKey, String> e : map.entrySet()) {
            result = result.plus(e.getKey(), e.getValue());
        }
        return result;
    }

    @Override
    public String get(Object key) {
        return key instanceof StateKey k ? root.get(k, StateTrie.hash(k), 0) : null;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public int size() {
        return size;
    }

    /** This map with {@code key} set to {@code eventId}; this map itself if it holds that already. */
    public StateMap plus(StateKey key, String eventId) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(eventId, "eventId");
        boolean[] added = new boolean[1];
        StateTrie.Node changed = root.plus(key, eventId, StateTrie.hash(key), 0, added);
        return changed == root ? this : new StateMap(changed, added[0] ? size + 1 : size);
    }

    /** This map without {@code key}; this map itself if it has no such key. */
    public StateMap minus(StateKey key) {
        StateTrie.Node changed = root.minus(key, StateTrie.hash(key), 0);
        if (changed == root) {
            return this;
        }
        return changed == null ? EMPTY : new StateMap(changed, size - 1);
    }

    @Override
    public void forEach(BiConsumer<? super StateKey, ? super String> action) {
        root.forEach(action);
    }

    @Override
    public Set<Entry<StateKey, String>> entrySet() {
        Set<Entry<StateKey, String>> set = entries;
        if (set == null) {
            entries = set = new AbstractSet<>() {
                @Override
                public Iterator<Entry<StateKey, String>> iterator() {
                    return new StateTrie.Entries(root);
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
        return set;
    }

    /**
     * Calls {@code differing} with each key whose entry is not the same in {@code a} and in
     * {@code b} (present in one only, or with other event ids), each once; skips what the two
     * share.
     */
    public static void forEachDifference(StateMap a, StateMap b, Consumer<StateKey> differing) {
        StateTrie.difference(a.root, b.root, 0, differing);
    }
}
