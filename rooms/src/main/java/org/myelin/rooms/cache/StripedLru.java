package org.myelin.rooms.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;

/**
 * A bounded map that forgets entries used least of late: the per-user caches of /sync (read
 * positions, memberships, counts, key counts) and of the rooms, which every woken sync reads.
 *
 * <p>Reads take no lock. It used to be sixteen access-ordered {@link java.util.LinkedHashMap}s,
 * each behind a lock (a lookup reorders the map): the syncs that one message wakes all at once
 * read the same few keys, and on a machine whose cores were busy elsewhere a preempted holder of
 * a stripe's lock held up every sync behind it. It is now a Caffeine cache, whose reads are
 * lock-free and whose eviction (by frequency and recency, not strictly the least recently used)
 * runs on the calling threads. Each operation on one key is atomic, as before; an entry may go
 * as soon as the cache is full, so it suits caches whose entries can always be made again; not
 * {@code EventCache}, which must keep an event being persisted until its commit.
 */
public final class StripedLru<K, V> {

    private final Cache<K, V> cache;
    private final ConcurrentMap<K, V> map;

    /** @param capacity the most entries kept */
    public StripedLru(int capacity) {
        this.cache = Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run).build();
        this.map = cache.asMap();
    }

    public V get(K key) {
        return map.get(key);
    }

    public void put(K key, V value) {
        map.put(key, value);
    }

    /** As {@link java.util.Map#putIfAbsent}: the value already there, or null when {@code value} went in. */
    public V putIfAbsent(K key, V value) {
        return map.putIfAbsent(key, value);
    }

    public void remove(K key) {
        map.remove(key);
    }

    /** As {@link java.util.Map#remove(Object, Object)}: only while {@code key} still maps to {@code value}. */
    public void remove(K key, V value) {
        map.remove(key, value);
    }

    /** As {@link java.util.Map#merge}. */
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remapping) {
        return map.merge(key, value, remapping);
    }

    /** How many entries are kept now (evictions due are done first). */
    public int size() {
        cache.cleanUp();
        return map.size();
    }
}
