package org.myelin.server.client.sync;

import org.myelin.protocol.event.EventThread;
import org.myelin.rooms.cache.StripedLru;
import org.myelin.server.client.rooms.EventThreads;
import org.myelin.server.streams.RecentTimeline;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineFilter;
import org.myelin.storage.events.TimelineRepository;

import java.util.ArrayList;
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
 * the events after the last one (from the {@link RecentTimeline}) while that position, the room's
 * state and the push rules stay as they were; a thread's receipt changes only which kept events
 * count, so it needs no evaluation.
 */
final class ThreadNotificationCounts {

    private static final int MAX_COUNTED = 20_000;
    private static final byte OWN = 4;

    private record Key(String userId, String roomId) {
    }

    /**
     * An unread event that counts: one that notifies the user, or one of their own (which reads its thread).
     *
     * @param flags {@link PushRuleNotificationCounts}'s notify and highlight flags, or {@link #OWN}
     */
    private record Kept(long position, String thread, byte flags) {
    }

    /** What was kept of the events in ({@code base}, {@code upTo}], oldest first, and what it holds for. */
    private record Counted(long base, long upTo, long stateChangedAt, long rules, List<Kept> kept) {
    }

    private final PushRuleNotificationCounts push;
    private final ReadPositions reads;
    private final TimelineRepository timeline;
    private final RecentTimeline recent;
    private final EventThreads threads;
    private final StripedLru<Key, Counted> counted = new StripedLru<>(MAX_COUNTED);

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
        long rules = push.rulesVersion();
        Optional<RecentTimeline.Room> room = recent.room(roomId).filter(r -> r.state() != null);
        long stateMark = room.map(RecentTimeline.Room::stateChangedAt).orElse(-1L);
        Key key = new Key(userId, roomId);
        Counted previous = counted.get(key);
        if (previous != null && room.isPresent() && previous.base() == base && previous.stateChangedAt() == stateMark
                && previous.rules() == rules && upTo >= previous.upTo()) {
            Optional<List<StoredEvent>> added = room.get().between(Math.max(base, previous.upTo()), upTo);
            if (added.isPresent()) {
                List<Kept> kept = newest(previous.kept(), keep(userId, roomId, stateMark, added.get()));
                counted.put(key, new Counted(base, upTo, stateMark, rules, kept));
                return partition(kept, read);
            }
        }
        List<StoredEvent> newestFirst = room
                .flatMap(r -> r.page(upTo, base, PushRuleNotificationCounts.MAX_EVALUATED, TimelineFilter.ALL))
                .orElseGet(() -> timeline.page(roomId, upTo, base, PushRuleNotificationCounts.MAX_EVALUATED, true,
                        TimelineFilter.ALL));
        List<StoredEvent> unread = new ArrayList<>(newestFirst);
        Collections.reverse(unread);
        List<Kept> kept = keep(userId, roomId, stateMark, unread);
        if (room.isPresent()) {
            counted.put(key, new Counted(base, upTo, stateMark, rules, kept));
        }
        return partition(kept, read);
    }

    /** What counts among {@code events} (oldest first), with their threads. */
    private List<Kept> keep(String userId, String roomId, long stateMark, List<StoredEvent> events) {
        byte[] flags = push.evaluate(userId, roomId, stateMark, events);
        List<Kept> kept = new ArrayList<>();
        for (int i = 0; i < flags.length; i++) {
            StoredEvent e = events.get(i);
            boolean own = e.pdu().sender().equals(userId);
            if (own || flags[i] != 0) {
                kept.add(new Kept(e.streamOrdering(), threads.threadOf(e.pdu()), own ? OWN : flags[i]));
            }
        }
        return kept;
    }

    /** {@code before} then {@code added}, keeping the newest {@value PushRuleNotificationCounts#MAX_EVALUATED}. */
    private static List<Kept> newest(List<Kept> before, List<Kept> added) {
        List<Kept> all = new ArrayList<>(before.size() + added.size());
        all.addAll(before);
        all.addAll(added);
        int max = PushRuleNotificationCounts.MAX_EVALUATED;
        return all.size() > max ? List.copyOf(all.subList(all.size() - max, all.size())) : all;
    }

    /** The counts of each thread: what notifies after where the user read that thread. */
    private static NotificationCounts.ByThread partition(List<Kept> kept, ReadPositions.ThreadReads read) {
        Map<String, Long> ownLatest = new HashMap<>();
        for (Kept k : kept) {
            if (k.flags() == OWN) {
                ownLatest.merge(k.thread(), k.position(), Math::max);
            }
        }
        Map<String, int[]> counts = new HashMap<>();
        for (Kept k : kept) {
            if (k.flags() == OWN || k.position() <= Math.max(read.thread(k.thread()),
                    ownLatest.getOrDefault(k.thread(), 0L))) {
                continue;
            }
            int[] c = counts.computeIfAbsent(k.thread(), t -> new int[2]);
            c[0]++;
            if ((k.flags() & PushRuleNotificationCounts.HIGHLIGHTS) != 0) {
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
}
