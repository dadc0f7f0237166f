package org.myelin.server.streams;

import org.myelin.rooms.notify.Notifier;
import org.myelin.storage.streams.StreamCounters;
import org.myelin.storage.streams.StreamKind;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The current position of every stream a /sync token covers, and the one way to announce a change.
 *
 * <p>How a writer adds to a stream (presence, to-device, device lists, receipts, account data):
 * <ol>
 *   <li>In the transaction that stores the change, take a position with
 *       {@link StreamCounters#next StreamCounters.next(connection, kind)} (storage); the counter row
 *       stays locked until commit, so positions commit in order.</li>
 *   <li>After the commit, call {@link #advanced(StreamId, long, Collection)} with that position and
 *       the notifier keys the change concerns: a room id for something in a room (everyone syncing
 *       that room wakes), a user id for something of one user (their account data, their
 *       to-device messages, the presence or device lists of the people they share rooms with, signalled
 *       per user or per shared room).</li>
 * </ol>
 * A reader takes {@link #current()} and reads each stream up to its position: everything at or
 * below it is committed. Positions are kept in memory (one process; across processes they will
 * travel with PostgreSQL LISTEN/NOTIFY, DESIGN.md) and only move forward.
 */
public final class Streams {

    private final Notifier notifier;
    private final AtomicLongArray positions = new AtomicLongArray(StreamId.values().length);

    /** Streams starting from {@code start}, waking readers through {@code notifier}. */
    public Streams(Notifier notifier, SyncToken start) {
        this.notifier = notifier;
        for (StreamId id : StreamId.values()) {
            positions.set(id.ordinal(), start.position(id));
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
     * wakes the readers waiting on {@code keys}. The position moves first, so a woken reader sees
     * the change.
     */
    public void advanced(StreamId stream, long position, Collection<String> keys) {
        positions.accumulateAndGet(stream.ordinal(), position, Math::max);
        notifier.signalAll(keys);
    }

    /** As {@link #advanced(StreamId, long, Collection)} with one key. */
    public void advanced(StreamId stream, long position, String key) {
        advanced(stream, position, List.of(key));
    }
}
