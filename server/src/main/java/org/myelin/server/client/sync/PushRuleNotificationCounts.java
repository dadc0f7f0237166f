package org.myelin.server.client.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.server.client.push.NotifiedUsers;
import org.myelin.server.client.push.PushEvaluation;
import org.myelin.server.client.rooms.EventThreads;
import org.myelin.server.streams.RecentTimeline;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineFilter;
import org.myelin.storage.events.TimelineRepository;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Notification counts by the user's push rules (client-server API, "Receiving notifications"):
 * of the events others sent after the user's read position ({@link ReadPositions}), those that
 * notified the user count, and among them those that highlight. What an event gives each user is
 * evaluated once, when it arrives ({@link NotifiedUsers}), as Synapse records its push actions:
 * a change of the user's push rules applies to the events after it. Only the newest
 * {@value #MAX_EVALUATED} unread events are looked at: clients show such numbers as "99+" anyway.
 *
 * <p>Counted incrementally: what each unread event gave is kept with the position it was counted
 * up to, and a later sync looks only at the events after it (from the {@link RecentTimeline}, or
 * the store for a room it forgot).
 * When the read position moves, the room is counted again.
 *
 * <p>Thread by thread ({@link #countByThread}) for clients that ask: {@link ThreadNotificationCounts}.
 */
public final class PushRuleNotificationCounts implements NotificationCounts {

    static final int MAX_EVALUATED = 500;
    /** What an event gives the user: it notifies them, it highlights. */
    static final byte NOTIFIES = NotifiedUsers.NOTIFIES;
    static final byte HIGHLIGHTS = NotifiedUsers.HIGHLIGHTS;
    private static final int MAX_COUNTED = 100_000;
    private static final int MAX_FACTS = 10_000;

    private record Key(String userId, String roomId) {
    }

    /** A count and what it holds for: the read position, and the position counted up to. */
    private record Counted(long read, long upTo, Evaluated evaluated) {
    }

    /** The room's facts while its state stays as it was at {@code stateChangedAt}. */
    private record FactsAt(long stateChangedAt, PushEvaluation.RoomFacts facts) {
    }

    private final ReadPositions reads;
    private final TimelineRepository timeline;
    private final PushEvaluation push;
    private final NotifiedUsers notified;
    private final RecentTimeline recent;
    private final Cache<Key, Counted> counted = Caffeine.newBuilder().maximumSize(MAX_COUNTED).recordStats().build();
    private final Cache<String, FactsAt> facts = Caffeine.newBuilder().maximumSize(MAX_FACTS).recordStats().build();
    private final ThreadNotificationCounts byThread;

    PushRuleNotificationCounts(ReadPositions reads, TimelineRepository timeline, PushEvaluation push,
                               NotifiedUsers notified, RecentTimeline recent, EventThreads threads) {
        this.reads = reads;
        this.timeline = timeline;
        this.push = push;
        this.notified = notified;
        this.recent = recent;
        this.byThread = new ThreadNotificationCounts(this, reads, timeline, recent, threads);
    }

    @Override
    public void prepare(String userId, Collection<String> roomIds) {
        reads.prepare(userId, roomIds);
    }

    @Override
    public ByThread countByThread(String userId, String roomId, long upTo) {
        return byThread.count(userId, roomId, upTo);
    }

    @Override
    public SyncResponse.UnreadCounts count(String userId, String roomId, long upTo) {
        Optional<RecentTimeline.Room> room = recent.room(roomId);
        long read = reads.readPosition(userId, roomId, upTo);
        if (read >= upTo) {
            return SyncResponse.UnreadCounts.NONE;
        }
        Key key = new Key(userId, roomId);
        Counted previous = counted.getIfPresent(key);
        if (previous != null && previous.read() == read && upTo >= previous.upTo()) {
            if (upTo == previous.upTo()) {
                return previous.evaluated().counts();
            }
            // Only the events since the last count: from memory, or (a room the recent timeline
            // forgot) from the store, rather than all the unread events again.
            long from = Math.max(read, previous.upTo());
            List<StoredEvent> added = room.flatMap(r -> r.between(from, upTo)).orElseGet(() -> oldestFirst(timeline
                    .page(roomId, upTo, from, MAX_EVALUATED, true, TimelineFilter.ALL)));
            Evaluated evaluated = previous.evaluated().plus(evaluate(userId, room, added));
            counted.put(key, new Counted(read, upTo, evaluated));
            return evaluated.counts();
        }
        List<StoredEvent> unread = oldestFirst(room.flatMap(r -> r.page(upTo, read, MAX_EVALUATED, TimelineFilter.ALL))
                .orElseGet(() -> timeline.page(roomId, upTo, read, MAX_EVALUATED, true, TimelineFilter.ALL)));
        Evaluated evaluated = Evaluated.NONE.plus(evaluate(userId, room, unread));
        counted.put(key, new Counted(read, upTo, evaluated));
        return evaluated.counts();
    }

    private static List<StoredEvent> oldestFirst(List<StoredEvent> newestFirst) {
        List<StoredEvent> events = new ArrayList<>(newestFirst);
        Collections.reverse(events);
        return events;
    }

    /**
     * What each event of {@code room}, oldest first, gives {@code userId}: {@link #NOTIFIES},
     * {@link #HIGHLIGHTS} (nothing for the user's own).
     *
     * @param room the room's recent timeline, when in memory (its state tells whether facts read
     *             before still hold, for events not evaluated yet)
     */
    byte[] evaluate(String userId, Optional<RecentTimeline.Room> room, List<StoredEvent> events) {
        long stateMark = room.filter(r -> r.state() != null).map(RecentTimeline.Room::stateChangedAt).orElse(-1L);
        return notified.flags(userId, events, roomId -> facts(roomId, stateMark));
    }

    private PushEvaluation.RoomFacts facts(String roomId, long stateMark) {
        FactsAt known = facts.getIfPresent(roomId);
        if (known != null && stateMark >= 0 && known.stateChangedAt() == stateMark) {
            return known.facts();
        }
        PushEvaluation.RoomFacts fresh = push.roomFacts(roomId);
        if (stateMark >= 0) {
            facts.put(roomId, new FactsAt(stateMark, fresh));
        }
        return fresh;
    }

    /** What the newest (up to {@value #MAX_EVALUATED}) unread events gave, oldest first. */
    private record Evaluated(byte[] flags, int notifications, int highlights) {

        static final Evaluated NONE = new Evaluated(new byte[0], 0, 0);

        /** These and then {@code added}, keeping the newest {@value #MAX_EVALUATED}. */
        Evaluated plus(byte[] added) {
            byte[] all = Arrays.copyOf(flags, flags.length + added.length);
            System.arraycopy(added, 0, all, flags.length, added.length);
            byte[] kept = all.length > MAX_EVALUATED ? Arrays.copyOfRange(all, all.length - MAX_EVALUATED, all.length)
                    : all;
            int notifications = 0;
            int highlights = 0;
            for (byte f : kept) {
                notifications += f & NOTIFIES;
                highlights += (f & HIGHLIGHTS) >> 1;
            }
            return new Evaluated(kept, notifications, highlights);
        }

        SyncResponse.UnreadCounts counts() {
            return notifications == 0 ? SyncResponse.UnreadCounts.NONE
                    : new SyncResponse.UnreadCounts(highlights, notifications);
        }
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        Map<String, Cache<?, ?>> caches = new HashMap<>(byThread.caches());
        caches.put("notification_counts", counted);
        caches.put("notification_room_facts", facts);
        return caches;
    }
}
