package org.myelin.rooms.cache;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A bounded map that forgets its least recently used entries, split into stripes by key hash,
 * each a {@link LinkedHashMap} in access order behind its own lock.
 *
 * <p>Why stripes: the per-user caches of /sync (read positions, memberships, counts) are read
 * by every woken sync, and one message wakes a sync per room member at once. Behind a single {@code synchronizedMap} those syncs
 * queued on one lock (and spun on it: its holder's work is short), which the profile showed as
 * a visible share of each sync's CPU. With stripes, syncs of different users rarely meet.
 * Each operation on one key is atomic, as it was; the bound is kept per stripe, so eviction is
 * least-recently-used within a stripe rather than over the whole map. So it suits caches whose
 * entries can always be made again; not {@code EventCache}, which must keep an event being
 * persisted until its commit and, with a small capacity, would lose it early to its stripe's bound
 * ({@code RemoteMembershipPipelineIT.joinsARoomWhoseStateOutgrowsTheEventCache}).
 */
public final class StripedLru<K, V> {

    private static final int STRIPES = 16;

    private final Stripe<K, V>[] stripes;

    /** @param capacity the most entries kept (over all stripes) */
    @SuppressWarnings("unchecked")
    public StripedLru(int capacity) {
        stripes = new Stripe[STRIPES];
        int perStripe = Math.max(1, (capacity + STRIPES - 1) / STRIPES);
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe<>(perStripe);
        }
    }

    public V get(K key) {
        Stripe<K, V> s = stripe(key);
        synchronized (s) {
            return s.get(key);
        }
    }

    public void put(K key, V value) {
        Stripe<K, V> s = stripe(key);
        synchronized (s) {
            s.put(key, value);
        }
    }

    /** As {@link Map#putIfAbsent}: the value already there, or null when {@code value} went in. */
    public V putIfAbsent(K key, V value) {
        Stripe<K, V> s = stripe(key);
        synchronized (s) {
            return s.putIfAbsent(key, value);
        }
    }

    public void remove(K key) {
        Stripe<K, V> s = stripe(key);
        synchronized (s) {
            s.remove(key);
        }
    }

    /** As {@link Map#remove(Object, Object)}: only while {@code key} still maps to {@code value}. */
    public void remove(K key, V value) {
        Stripe<K, V> s = stripe(key);
        synchronized (s) {
            s.remove(key, value);
        }
    }

    /** As {@link Map#merge}. */
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remapping) {
        Stripe<K, V> s = stripe(key);
        synchronized (s) {
            return s.merge(key, value, remapping);
        }
    }

    /** How many entries are kept now. */
    public int size() {
        int n = 0;
        for (Stripe<K, V> s : stripes) {
            synchronized (s) {
                n += s.size();
            }
        }
        return n;
    }

    private Stripe<K, V> stripe(K key) {
        int h = key.hashCode();
        return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
    }

    private static final class Stripe<K, V> extends LinkedHashMap<K, V> {
        private final int capacity;

        Stripe(int capacity) {
            super(Math.min(capacity, 1024), 0.75f, true);
            this.capacity = capacity;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > capacity;
        }
    }
}
