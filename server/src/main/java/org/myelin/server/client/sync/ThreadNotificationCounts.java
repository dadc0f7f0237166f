package org.myelin.server.client.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.EventThread;
import org.myelin.server.client.rooms.EventThreads;
import org.myelin.server.streams.RecentTimeline;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineFilter;
import org.myelin.storage.events.TimelineRepository;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Notification counts thread by thread (client-server API, "Receiving notifications", "Threaded read
 * receipts"), for a /sync whose filter asks for {@code unread_thread_notifications}: each event that
 * notifies the user counts in its thread ({@link EventThreads}; {@code main} for the main timeline)
 * unless the user read that thread past it, by an unthreaded receipt, a receipt of that thread or
 * an event of their own in it. Nothing before their join counts.
 *
 * <p>The events after the user's last unthreaded receipt (or join) are evaluated, the newest
 * {@value PushRuleNotificationCounts#MAX_EVALUATED} at most; of those, what counts is kept: each
 * event that notifies and each of the user's own, with its thread. A later sync evaluates only
 * the events after the last one (from the {@link RecentTimeline}) while that position stays as it
 * was; a thread's receipt changes only which kept events count. What each event gives the user is
 * fixed when it arrives ({@link org.myelin.server.client.push.NotifiedUsers}).
 */
final class ThreadNotificationCounts {

    private static final int MAX_COUNTED = 10_000;
    private static final byte OWN = 4;

    private record Key(String userId, String roomId) {
    }

    /**
     * The unread events that count, oldest first, as parallel arrays (a busy room keeps hundreds):
     * those that notify the user and the user's own (which read their thread).
     *
     * @param flags    {@link PushRuleNotificationCounts}'s notify and highlight flags, or {@link #OWN}
     * @param threads  each event's thread ({@link EventThread#MAIN} for the main timeline)
     */
    private record Kept(long[] positions, byte[] flags, String[] threads) {

        static final Kept NONE = new Kept(new long[0], new byte[0], new String[0]);

        int size() {
            return positions.length;
        }

        /** These and then {@code added}, keeping the newest {@value PushRuleNotificationCounts#MAX_EVALUATED}. */
        Kept plus(Kept added) {
            int total = size() + added.size();
            int skip = Math.max(0, total - PushRuleNotificationCounts.MAX_EVALUATED);
            int kept = total - skip;
            long[] p = new long[kept];
            byte[] f = new byte[kept];
            String[] t = new String[kept];
            for (int i = skip; i < total; i++) {
                Kept from = i < size() ? this : added;
                int j = i < size() ? i : i - size();
                p[i - skip] = from.positions[j];
                f[i - skip] = from.flags[j];
                t[i - skip] = from.threads[j];
            }
            return new Kept(p, f, t);
        }
    }

    /** What was kept of the events in ({@code base}, {@code upTo}], and what it holds for. */
    private record Counted(long base, long upTo, Kept kept) {
    }

    private final PushRuleNotificationCounts push;
    private final ReadPositions reads;
    private final TimelineRepository timeline;
    private final RecentTimeline recent;
    private final EventThreads threads;
    private final Cache<Key, Counted> counted = Caffeine.newBuilder().maximumSize(MAX_COUNTED).recordStats().build();

    ThreadNotificationCounts(PushRuleNotificationCounts push, ReadPositions reads, TimelineRepository timeline,
                             RecentTimeline recent, EventThreads threads) {
        this.push = push;
        this.reads = reads;
        this.timeline = timeline;
        this.recent = recent;
        this.threads = threads;
    }

    NotificationCounts.ByThread count(String userId, String roomId, long upTo) {
        ReadPositions.ThreadReads read = reads.threadReads(userId, roomId, upTo);
        long base = read.readEverywhere();
        if (base >= upTo) {
            return NotificationCounts.ByThread.NONE;
        }
        Optional<RecentTimeline.Room> room = recent.room(roomId);
        Key key = new Key(userId, roomId);
        Counted previous = counted.getIfPresent(key);
        if (previous != null && room.isPresent() && previous.base() == base && upTo >= previous.upTo()) {
            Optional<List<StoredEvent>> added = room.get().between(Math.max(base, previous.upTo()), upTo);
            if (added.isPresent()) {
                Kept kept = previous.kept().plus(keep(userId, room, added.get()));
                counted.put(key, new Counted(base, upTo, kept));
                return partition(kept, read);
            }
        }
        List<StoredEvent> newestFirst = room
                .flatMap(r -> r.page(upTo, base, PushRuleNotificationCounts.MAX_EVALUATED, TimelineFilter.ALL))
                .orElseGet(() -> timeline.page(roomId, upTo, base, PushRuleNotificationCounts.MAX_EVALUATED, true,
                        TimelineFilter.ALL));
        List<StoredEvent> unread = new ArrayList<>(newestFirst);
        Collections.reverse(unread);
        Kept kept = Kept.NONE.plus(keep(userId, room, unread));
        if (room.isPresent()) {
            counted.put(key, new Counted(base, upTo, kept));
        }
        return partition(kept, read);
    }

    /** What counts among {@code events} (oldest first), with their threads. */
    private Kept keep(String userId, Optional<RecentTimeline.Room> room, List<StoredEvent> events) {
        byte[] evaluated = push.evaluate(userId, room, events);
        long[] positions = new long[events.size()];
        byte[] flags = new byte[events.size()];
        String[] inThread = new String[events.size()];
        int n = 0;
        for (int i = 0; i < evaluated.length; i++) {
            StoredEvent e = events.get(i);
            boolean own = e.pdu().sender().equals(userId);
            if (own || evaluated[i] != 0) {
                positions[n] = e.streamOrdering();
                flags[n] = own ? OWN : evaluated[i];
                inThread[n] = threads.threadOf(e.pdu());
                n++;
            }
        }
        return new Kept(Arrays.copyOf(positions, n), Arrays.copyOf(flags, n), Arrays.copyOf(inThread, n));
    }

    /** The counts of each thread: what notifies after where the user read that thread. */
    private static NotificationCounts.ByThread partition(Kept kept, ReadPositions.ThreadReads read) {
        Map<String, Long> ownLatest = new HashMap<>();
        for (int i = 0; i < kept.size(); i++) {
            if (kept.flags()[i] == OWN) {
                ownLatest.merge(kept.threads()[i], kept.positions()[i], Math::max);
            }
        }
        Map<String, int[]> counts = new HashMap<>();
        for (int i = 0; i < kept.size(); i++) {
            String thread = kept.threads()[i];
            if (kept.flags()[i] == OWN
                    || kept.positions()[i] <= Math.max(read.thread(thread), ownLatest.getOrDefault(thread, 0L))) {
                continue;
            }
            int[] c = counts.computeIfAbsent(thread, t -> new int[2]);
            c[0]++;
            if ((kept.flags()[i] & PushRuleNotificationCounts.HIGHLIGHTS) != 0) {
                c[1]++;
            }
        }
        int[] main = counts.remove(EventThread.MAIN);
        Map<String, SyncResponse.UnreadCounts> byThread = new HashMap<>();
        counts.forEach((thread, c) -> byThread.put(thread, new SyncResponse.UnreadCounts(c[1], c[0])));
        return new NotificationCounts.ByThread(
                main == null ? SyncResponse.UnreadCounts.NONE : new SyncResponse.UnreadCounts(main[1], main[0]),
                byThread);
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("thread_notification_counts", counted);
    }
}
