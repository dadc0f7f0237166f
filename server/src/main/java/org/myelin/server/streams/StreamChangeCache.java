package org.myelin.server.streams;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The last position at which each key (a room id, a user id) changed in one stream, as far back
 * as this process knows: what lets /sync skip a room or a stream with nothing new without asking
 * the database (Synapse's {@code StreamChangeCache}).
 *
 * <p>It knows every change after {@link #earliestKnown()}: the stream's position when the
 * process started, raised when the cache drops its oldest keys to stay within its bound. For a
 * position before that it answers "maybe changed", and the caller reads the database as before.
 * An answer may also say "changed" for a change after the reader's own upper bound; only
 * "not changed" has to be exact, and it is.
 *
 * <p>Writers record a change before the stream's position that covers it is announced
 * ({@link Streams#advanced}), so a reader that saw the position sees the change. Readers take no
 * lock; writers take one briefly.
 */
public final class StreamChangeCache {

    private final int maxKeys;
    private final Map<String, Long> lastChange = new ConcurrentHashMap<>();
    /** Writers only, under {@link #lock}: the keys by their last change, oldest first, for eviction. */
    private final TreeMap<Long, Set<String>> byPosition = new TreeMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile long earliestKnown;
    /** The newest position recorded (written under {@link #lock}). */
    private volatile long newest;

    /**
     * @param earliestKnown the stream's position now: every later change will be recorded
     * @param maxKeys       how many keys to remember before forgetting the oldest
     */
    public StreamChangeCache(long earliestKnown, int maxKeys) {
        this.earliestKnown = earliestKnown;
        this.maxKeys = maxKeys;
    }

    /** The position after which every change is known. */
    public long earliestKnown() {
        return earliestKnown;
    }

    /** Whether this cache can answer for changes after {@code since}. */
    public boolean knowsSince(long since) {
        return since >= earliestKnown;
    }

    /** Records that {@code key} changed at {@code position}. */
    public void record(String key, long position) {
        lock.lock();
        try {
            if (position <= earliestKnown) {
                return;
            }
            Long previous = lastChange.get(key);
            if (previous != null && previous >= position) {
                return;
            }
            if (previous != null) {
                Set<String> keys = byPosition.get(previous);
                keys.remove(key);
                if (keys.isEmpty()) {
                    byPosition.remove(previous);
                }
            }
            byPosition.computeIfAbsent(position, p -> new HashSet<>()).add(key);
            lastChange.put(key, position);
            newest = Math.max(newest, position);
            while (lastChange.size() > maxKeys) {
                evictOldest();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Records that each of {@code keys} changed at {@code position}. */
    public void record(Collection<String> keys, long position) {
        for (String key : keys) {
            record(key, position);
        }
    }

    private void evictOldest() {
        Map.Entry<Long, Set<String>> oldest = byPosition.pollFirstEntry();
        // Raised before the keys go, so a reader that misses a key sees the new bound.
        earliestKnown = Math.max(earliestKnown, oldest.getKey());
        oldest.getValue().forEach(lastChange::remove);
    }

    /**
     * Whether {@code key} may have changed after {@code since}: true when it did, or when the cache
     * does not know (so the caller must look); false only when it certainly did not.
     */
    public boolean mayHaveChanged(String key, long since) {
        Long last = lastChange.get(key);
        if (since < earliestKnown) {
            return true;
        }
        return last != null && last > since;
    }

    /**
     * Whether no key at all changed after {@code since}, as far as the cache knows: then no caller
     * needs to look at its keys one by one.
     */
    public boolean nothingChangedSince(long since) {
        return since >= earliestKnown && newest <= since;
    }

    /**
     * Those of {@code keys} that changed after {@code since}, or empty when the cache cannot tell
     * (then any of them may have).
     */
    public Optional<Set<String>> changedSince(Collection<String> keys, long since) {
        if (nothingChangedSince(since)) {
            return Optional.of(Set.of());
        }
        Set<String> changed = new HashSet<>();
        for (String key : keys) {
            Long last = lastChange.get(key);
            if (last != null && last > since) {
                changed.add(key);
            }
        }
        return since < earliestKnown ? Optional.empty() : Optional.of(changed);
    }

    /**
     * The position of the last change of {@code key}, or {@link #earliestKnown()} when there was
     * none since: no change of it lies after the returned position.
     */
    public long lastChangeOrEarliest(String key) {
        Long last = lastChange.get(key);
        long earliest = earliestKnown;
        return last == null ? earliest : Math.max(last, earliest);
    }
}
