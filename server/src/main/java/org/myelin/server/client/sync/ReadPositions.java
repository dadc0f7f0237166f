package org.myelin.server.client.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.EventThread;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.receipts.ReceiptRepository;
import org.myelin.storage.sync.RoomSyncQueries;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where each user has read each room up to (spec "Receiving notifications"), kept in memory: read
 * from the store once per user and room, then moved forward as receipts are stored and events
 * commit, so a /sync does not ask.
 *
 * <ul>
 *   <li>The room as a whole ({@link #readPosition}): their furthest {@code m.read} or
 *       {@code m.read.private} receipt, unthreaded or of the main timeline, or their own latest
 *       event, whichever is later, since sending counts as reading.</li>
 *   <li>Thread by thread ({@link #threadReads}): their furthest unthreaded receipt, that of each
 *       thread ({@code main} included) and their latest membership event (their join: nothing
 *       before it is unread). Their own events read their thread; the counts find those among
 *       the unread events.</li>
 * </ul>
 *
 * <p>Every part only moves forward, so an update and a read of the store can meet in any order:
 * the larger wins. A slot is registered before the store is read, so an update made meanwhile
 * lands in it. The one update that can move a receipt back (one for an event without a position)
 * drops the slot instead.
 */
final class ReadPositions {

    private static final int MAX_SLOTS = 100_000;
    private static final List<String> READ_RECEIPTS = ReceiptNotificationCounts.READ_RECEIPTS;
    /** The thread id under which the store keeps unthreaded receipts. */
    private static final String UNTHREADED = "";

    /**
     * Where a user has read a room up to, thread by thread, as of a timeline position.
     *
     * @param unthreaded their furthest unthreaded receipt's position
     * @param membership their latest membership event's position
     * @param threads    their furthest receipt's position by thread id ({@code main} for the main timeline)
     */
    record ThreadReads(long unthreaded, long membership, Map<String, Long> threads) {

        /** The position before which everything is read, whatever its thread. */
        long readEverywhere() {
            return Math.max(unthreaded, membership);
        }

        /** Where {@code thread} is read up to by receipts (own events aside). */
        long thread(String thread) {
            return Math.max(readEverywhere(), threads.getOrDefault(thread, 0L));
        }
    }

    private record Key(String userId, String roomId) {
    }

    /**
     * One user's read positions in one room.
     *
     * @param receipt    the furthest unthreaded or main-timeline receipt
     * @param sent       the user's latest event
     * @param unthreaded the furthest unthreaded receipt
     * @param membership the user's latest membership event
     * @param threads    the furthest receipt of each thread, {@code main} included
     */
    private record Slot(AtomicLong receipt, AtomicLong sent, AtomicLong unthreaded, AtomicLong membership,
                        Map<String, Long> threads) {
        static Slot empty() {
            return new Slot(new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong(),
                    new ConcurrentHashMap<>());
        }

        void receipt(String thread, long position) {
            if (thread.equals(UNTHREADED) || thread.equals(EventThread.MAIN)) {
                receipt.accumulateAndGet(position, Math::max);
            }
            if (thread.equals(UNTHREADED)) {
                unthreaded.accumulateAndGet(position, Math::max);
            } else {
                threads.merge(thread, position, Math::max);
            }
        }
    }

    private final ReceiptRepository receipts;
    private final RoomSyncQueries rooms;
    private final Cache<Key, Slot> slots = Caffeine.newBuilder().maximumSize(MAX_SLOTS).recordStats().build();

    ReadPositions(ReceiptRepository receipts, RoomSyncQueries rooms) {
        this.receipts = receipts;
        this.rooms = rooms;
    }

    /** The timeline position up to which {@code userId} has read {@code roomId}, as of timeline position {@code upTo}. */
    long readPosition(String userId, String roomId, long upTo) {
        Slot slot = slot(userId, roomId);
        long sent = slot.sent().get();
        if (sent > upTo) {
            // The user sent something after this sync's position: what they sent up to it is in the store.
            sent = rooms.lastSentBy(roomId, userId, upTo);
        }
        return Math.max(slot.receipt().get(), sent);
    }

    /** Where {@code userId} has read {@code roomId} thread by thread, as of timeline position {@code upTo}. */
    ThreadReads threadReads(String userId, String roomId, long upTo) {
        Slot slot = slot(userId, roomId);
        long membership = slot.membership().get();
        if (membership > upTo) {
            membership = rooms.lastMembershipOf(roomId, userId, upTo);
        }
        return new ThreadReads(slot.unthreaded().get(), membership, Map.copyOf(slot.threads()));
    }

    private Slot slot(String userId, String roomId) {
        Key key = new Key(userId, roomId);
        Slot slot = slots.getIfPresent(key);
        if (slot != null) {
            return slot;
        }
        Slot fresh = Slot.empty();
        slot = slots.asMap().putIfAbsent(key, fresh);
        if (slot != null) {
            return slot;
        }
        receipts.readUpToByThread(roomId, userId, READ_RECEIPTS).forEach(fresh::receipt);
        fresh.sent().accumulateAndGet(rooms.lastSentBy(roomId, userId, Long.MAX_VALUE), Math::max);
        fresh.membership().accumulateAndGet(rooms.lastMembershipOf(roomId, userId, Long.MAX_VALUE), Math::max);
        return fresh;
    }

    /**
     * Reads {@code userId}'s positions in those of {@code roomIds} not yet in memory, in two
     * statements for all of them rather than three per room: an initial sync's counts then find
     * every room's slot filled.
     */
    void prepare(String userId, Collection<String> roomIds) {
        Map<String, Slot> fresh = new HashMap<>();
        for (String roomId : roomIds) {
            Key key = new Key(userId, roomId);
            if (!slots.asMap().containsKey(key)) { // a look ahead, not a lookup: no hit or miss
                Slot slot = Slot.empty();
                if (slots.asMap().putIfAbsent(key, slot) == null) {
                    fresh.put(roomId, slot);
                }
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        receipts.readUpToByThread(fresh.keySet(), userId, READ_RECEIPTS)
                .forEach((roomId, byThread) -> byThread.forEach(fresh.get(roomId)::receipt));
        Map<String, RoomSyncQueries.UserPositions> positions = rooms.lastPositionsOf(userId, fresh.keySet());
        fresh.forEach((roomId, slot) -> {
            RoomSyncQueries.UserPositions p = positions.get(roomId);
            if (p != null) {
                slot.sent().accumulateAndGet(p.sent(), Math::max);
                slot.membership().accumulateAndGet(p.membership(), Math::max);
            }
        });
    }

    /** A receipt was stored (called after its commit, before its position is announced). */
    void receiptStored(ReceiptRepository.NewReceipt receipt) {
        if (!READ_RECEIPTS.contains(receipt.receiptType())) {
            return;
        }
        Key key = new Key(receipt.userId(), receipt.roomId());
        if (receipt.eventStreamOrdering() == null) {
            slots.invalidate(key);
            return;
        }
        Slot slot = slots.asMap().get(key); // listeners' lookups count as no hit or miss
        if (slot != null) {
            slot.receipt(receipt.threadId() == null ? UNTHREADED : receipt.threadId(), receipt.eventStreamOrdering());
        }
    }

    /** The persister's commit listener: a user's own events and membership events move their read positions. */
    void committed(List<PersistedEvent> batch) {
        for (PersistedEvent e : batch) {
            if (e.streamOrdering() != null && e.streamOrdering() > 0) {
                Slot slot = slots.asMap().get(new Key(e.pdu().sender(), e.pdu().roomId()));
                if (slot != null) {
                    slot.sent().accumulateAndGet(e.streamOrdering(), Math::max);
                }
                if (e.visible() && e.pdu().isState() && "m.room.member".equals(e.pdu().type())) {
                    Slot member = slots.asMap().get(new Key(e.pdu().stateKey(), e.pdu().roomId()));
                    if (member != null) {
                        member.membership().accumulateAndGet(e.streamOrdering(), Math::max);
                    }
                }
            }
        }
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("read_positions", slots);
    }
}
