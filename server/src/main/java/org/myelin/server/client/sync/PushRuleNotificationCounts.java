package org.myelin.server.client.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.push.PushActions;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Notification counts by the user's push rules (client-server API, "Receiving notifications"):
 * every event others sent after the user's read position ({@link ReadPositions}) is evaluated;
 * those whose actions notify count, and among them those that highlight. Only the newest
 * {@value #MAX_EVALUATED} unread events are evaluated: clients show such numbers as "99+" anyway.
 *
 * <p>Counted incrementally: what each unread event gave is kept with the position it was counted
 * up to, and a later sync evaluates only the events after it (from the {@link RecentTimeline}).
 * That holds while the read position, the room's state (which gives the facts push rules look
 * at: member count, display names, power levels) and the push rules stay as they were; when one
 * moves, the room is counted again from the store, as before.
 *
 * <p>Thread by thread ({@link #countByThread}) for clients that ask: {@link ThreadNotificationCounts}.
 */
public final class PushRuleNotificationCounts implements NotificationCounts {

    static final int MAX_EVALUATED = 500;
    /** What an evaluated event gives the user: it notifies them, it highlights. */
    static final byte NOTIFIES = 1;
    static final byte HIGHLIGHTS = 2;
    private static final int MAX_COUNTED = 100_000;
    private static final int MAX_FACTS = 10_000;

    private record Key(String userId, String roomId) {
    }

    /**
     * A count and what it holds for.
     *
     * @param stateChangedAt the room's {@link RecentTimeline.Room#stateChangedAt()} then
     * @param rules          the push rules' version then
     */
    private record Counted(long read, long upTo, long stateChangedAt, long rules, Evaluated evaluated) {
    }

    /** The room's facts while its state stays as it was at {@code stateChangedAt}. */
    private record FactsAt(long stateChangedAt, PushEvaluation.RoomFacts facts) {
    }

    private final ReadPositions reads;
    private final TimelineRepository timeline;
    private final PushEvaluation push;
    private final RecentTimeline recent;
    private final AtomicLong rulesVersion = new AtomicLong();
    private final Cache<Key, Counted> counted = Caffeine.newBuilder().maximumSize(MAX_COUNTED).recordStats().build();
    private final Cache<String, FactsAt> facts = Caffeine.newBuilder().maximumSize(MAX_FACTS).recordStats().build();
    private final ThreadNotificationCounts byThread;

    PushRuleNotificationCounts(ReadPositions reads, TimelineRepository timeline, PushEvaluation push,
                               RecentTimeline recent, EventThreads threads) {
        this.reads = reads;
        this.timeline = timeline;
        this.push = push;
        this.recent = recent;
        this.byThread = new ThreadNotificationCounts(this, reads, timeline, recent, threads);
    }

    @Override
    public void prepare(String userId, Collection<String> roomIds) {
        reads.prepare(userId, roomIds);
    }

    /** The push rules' version: counts made with another are made again. */
    long rulesVersion() {
        return rulesVersion.get();
    }

    @Override
    public ByThread countByThread(String userId, String roomId, long upTo) {
        return byThread.count(userId, roomId, upTo);
    }

    /** Someone's push rules changed: counts made with the old ones are not reused. */
    void pushRulesChanged() {
        rulesVersion.incrementAndGet();
    }

    @Override
    public SyncResponse.UnreadCounts count(String userId, String roomId, long upTo) {
        long rules = rulesVersion.get();
        Optional<RecentTimeline.Room> room = recent.room(roomId).filter(r -> r.state() != null);
        long stateMark = room.map(RecentTimeline.Room::stateChangedAt).orElse(-1L);
        long read = reads.readPosition(userId, roomId, upTo);
        if (read >= upTo) {
            return SyncResponse.UnreadCounts.NONE;
        }
        Key key = new Key(userId, roomId);
        Counted previous = counted.getIfPresent(key);
        if (previous != null && room.isPresent() && previous.read() == read && previous.stateChangedAt() == stateMark
                && previous.rules() == rules && upTo >= previous.upTo()) {
            Optional<List<StoredEvent>> added = room.get().between(Math.max(read, previous.upTo()), upTo);
            if (added.isPresent()) {
                Evaluated evaluated = previous.evaluated().plus(evaluate(userId, roomId, stateMark, added.get()));
                counted.put(key, new Counted(read, upTo, stateMark, rules, evaluated));
                return evaluated.counts();
            }
        }
        List<StoredEvent> newestFirst = room.flatMap(r -> r.page(upTo, read, MAX_EVALUATED, TimelineFilter.ALL))
                .orElseGet(() -> timeline.page(roomId, upTo, read, MAX_EVALUATED, true, TimelineFilter.ALL));
        List<StoredEvent> unread = new ArrayList<>(newestFirst);
        Collections.reverse(unread);
        Evaluated evaluated = Evaluated.NONE.plus(evaluate(userId, roomId, stateMark, unread));
        if (room.isPresent()) {
            counted.put(key, new Counted(read, upTo, stateMark, rules, evaluated));
        }
        return evaluated.counts();
    }

    /**
     * What each event, oldest first, gives {@code userId}: {@link #NOTIFIES}, {@link #HIGHLIGHTS}
     * (nothing for the user's own).
     *
     * @param stateMark the room's {@link RecentTimeline.Room#stateChangedAt()}, or -1 when unknown
     */
    byte[] evaluate(String userId, String roomId, long stateMark, List<StoredEvent> events) {
        byte[] flags = new byte[events.size()];
        PushEvaluation.RoomFacts roomFacts = null;
        for (int i = 0; i < flags.length; i++) {
            StoredEvent e = events.get(i);
            if (e.pdu().sender().equals(userId)) {
                continue;
            }
            if (roomFacts == null) {
                roomFacts = facts(roomId, stateMark);
            }
            PushActions actions = push.evaluate(userId, e.pdu(), roomFacts);
            if (actions.notifies()) {
                flags[i] = actions.highlights() ? NOTIFIES | HIGHLIGHTS : NOTIFIES;
            }
        }
        return flags;
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
