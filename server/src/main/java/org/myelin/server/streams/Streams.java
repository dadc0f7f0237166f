package org.myelin.server.streams;

import org.myelin.rooms.notify.Notifier;
import org.myelin.storage.streams.StreamCounters;
import org.myelin.storage.streams.StreamKind;

import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The current position of every stream a /sync token covers, and the one way to announce a change.
 *
 * <p>How a writer adds to a stream (presence, to-device, device lists, receipts, account data):
 * <ol>
 *   <li>Inside {@link #write(StreamId, Collection, Supplier)}, run the transaction that stores the
 *       change and takes a position with {@link StreamCounters#next StreamCounters.next(connection,
 *       kind)} (storage); the counter row stays locked until commit, so positions commit in order.</li>
 *   <li>{@code write} then announces the position with {@link #advanced(StreamId, long, Collection)}
 *       on the notifier keys the change concerns: a room id for something in a room (everyone
 *       syncing that room wakes; receipts), a user id for something of one user (their account
 *       data, their to-device messages, the presence or device lists of the people they share
 *       rooms with, signalled per user or per shared room).</li>
 * </ol>
 * A reader takes {@link #current()} and reads each stream up to its position: everything at or
 * below it is committed. Positions are kept in memory (one process; across processes they will
 * travel with PostgreSQL LISTEN/NOTIFY, DESIGN.md) and only move forward.
 *
 * <p>Beside each position, {@link #changes(StreamId)} keeps the last position at which each key
 * changed, so that a reader can skip what did not change without asking the database. That needs
 * the keys to name whom the change is for (the user of account data and to-device messages, the
 * room of receipts and of timeline events) and a position to be announced only after every
 * earlier one: {@link #write} runs the writes of a stream one at a time in this process, and the
 * event persister's commit listener announces the timeline in stream order.
 */
public final class Streams {

    /** Keys remembered per stream by its change cache. */
    static final int CHANGE_CACHE_KEYS = 100_000;

    private final Notifier notifier;
    private final AtomicLongArray positions = new AtomicLongArray(StreamId.values().length);
    private final Map<StreamId, StreamChangeCache> changes = new EnumMap<>(StreamId.class);
    private final Map<StreamId, ReentrantLock> writeLocks = new EnumMap<>(StreamId.class);

    /** Streams starting from {@code start}, waking readers through {@code notifier}. */
    public Streams(Notifier notifier, SyncToken start) {
        this.notifier = notifier;
        for (StreamId id : StreamId.values()) {
            positions.set(id.ordinal(), start.position(id));
            changes.put(id, new StreamChangeCache(start.position(id), CHANGE_CACHE_KEYS));
            writeLocks.put(id, new ReentrantLock());
        }
    }

    /** Streams starting where the database stands: the newest event and each stored counter. */
    public static Streams load(Notifier notifier, long maxStreamOrdering, StreamCounters counters) {
        Map<StreamKind, Long> stored = counters.current();
        SyncToken start = SyncToken.ZERO.with(StreamId.TIMELINE, maxStreamOrdering);
        for (StreamId id : StreamId.values()) {
            if (id.stored() != null) {
                start = start.with(id, stored.getOrDefault(id.stored(), 0L));
            }
        }
        return new Streams(notifier, start);
    }

    /** Every stream's current position. */
    public SyncToken current() {
        long[] now = new long[StreamId.values().length];
        for (int i = 0; i < now.length; i++) {
            now[i] = positions.get(i);
        }
        return new SyncToken(now);
    }

    public long position(StreamId stream) {
        return positions.get(stream.ordinal());
    }

    /**
     * Announces that {@code position} of {@code stream} is committed (positions below it too) and
     * wakes the readers waiting on {@code keys}. The change is recorded for {@code keys} first and
     * the position moves next, so a woken reader sees the change. Call it in position order (see
     * {@link #write}).
     */
    public void advanced(StreamId stream, long position, Collection<String> keys) {
        changes.get(stream).record(keys, position);
        positions.accumulateAndGet(stream.ordinal(), position, Math::max);
        notifier.signalAll(keys);
    }

    /**
     * Runs {@code commit}, a transaction that stores a change of {@code stream} and returns the
     * position it took (empty when it stored nothing), then announces that position on
     * {@code keys}. The writes of one stream run one at a time in this process, so positions are
     * announced in the order they committed. Hold no other stream's write in {@code commit}.
     */
    public OptionalLong write(StreamId stream, Collection<String> keys, Supplier<OptionalLong> commit) {
        ReentrantLock lock = writeLocks.get(stream);
        lock.lock();
        try {
            OptionalLong position = commit.get();
            position.ifPresent(p -> advanced(stream, p, keys));
            return position;
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #write(StreamId, Collection, Supplier)} for a change of one key that always takes a position. */
    public long write(StreamId stream, String key, LongSupplier commit) {
        return write(stream, List.of(key), () -> OptionalLong.of(commit.getAsLong())).orElseThrow();
    }

    /**
     * Records that {@code key} changed at {@code position} of {@code stream}, without announcing
     * it: for a writer that announces several keys' changes with one {@link #advanced} call (the
     * timeline's commit listener). Record before announcing.
     */
    public void record(StreamId stream, String key, long position) {
        changes.get(stream).record(key, position);
    }

    /** The last position at which each key changed in {@code stream}, as far as this process knows. */
    public StreamChangeCache changes(StreamId stream) {
        return changes.get(stream);
    }

    /** As {@link #advanced(StreamId, long, Collection)} with one key. */
    public void advanced(StreamId stream, long position, String key) {
        advanced(stream, position, List.of(key));
    }
}
