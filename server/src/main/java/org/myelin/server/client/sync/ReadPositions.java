package org.myelin.server.client.sync;

import org.myelin.rooms.cache.StripedLru;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.receipts.ReceiptRepository;
import org.myelin.storage.sync.RoomSyncQueries;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where each user has read each room's main timeline up to (spec "Receiving notifications"): their
 * furthest {@code m.read} or {@code m.read.private} receipt, or their own latest event, whichever
 * is later, since sending counts as reading. Kept in memory: read from the store once per user and
 * room, then moved forward as receipts are stored and events commit, so a /sync does not ask.
 *
 * <p>Both parts only move forward, so an update and a read of the store can meet in any order:
 * the larger wins. A slot is registered before the store is read, so an update made meanwhile
 * lands in it. The one update that can move a receipt back (one for an event without a position)
 * drops the slot instead.
 */
final class ReadPositions {

    private static final int MAX_SLOTS = 100_000;
    private static final List<String> READ_RECEIPTS = ReceiptNotificationCounts.READ_RECEIPTS;

    private record Key(String userId, String roomId) {
    }

    /** The furthest read receipt's event position and the user's latest event position, in one room. */
    private record Slot(AtomicLong receipt, AtomicLong sent) {
    }

    private final ReceiptRepository receipts;
    private final RoomSyncQueries rooms;
    private final StripedLru<Key, Slot> slots = new StripedLru<>(MAX_SLOTS);

    ReadPositions(ReceiptRepository receipts, RoomSyncQueries rooms) {
        this.receipts = receipts;
        this.rooms = rooms;
    }

    /** The timeline position up to which {@code userId} has read {@code roomId}, as of timeline position {@code upTo}. */
    long readPosition(String userId, String roomId, long upTo) {
        Key key = new Key(userId, roomId);
        Slot slot = slots.get(key);
        if (slot == null) {
            Slot fresh = new Slot(new AtomicLong(), new AtomicLong());
            slot = slots.putIfAbsent(key, fresh);
            if (slot == null) {
                slot = fresh;
                fresh.receipt().accumulateAndGet(receipts.readUpTo(roomId, userId, READ_RECEIPTS), Math::max);
                fresh.sent().accumulateAndGet(rooms.lastSentBy(roomId, userId, Long.MAX_VALUE), Math::max);
            }
        }
        long sent = slot.sent().get();
        if (sent > upTo) {
            // The user sent something after this sync's position: what they sent up to it is in the store.
            sent = rooms.lastSentBy(roomId, userId, upTo);
        }
        return Math.max(slot.receipt().get(), sent);
    }

    /** A receipt was stored (called after its commit, before its position is announced). */
    void receiptStored(ReceiptRepository.NewReceipt receipt) {
        if (!READ_RECEIPTS.contains(receipt.receiptType())
                || !(receipt.threadId() == null || "main".equals(receipt.threadId()))) {
            return;
        }
        Key key = new Key(receipt.userId(), receipt.roomId());
        if (receipt.eventStreamOrdering() == null) {
            slots.remove(key);
            return;
        }
        Slot slot = slots.get(key);
        if (slot != null) {
            slot.receipt().accumulateAndGet(receipt.eventStreamOrdering(), Math::max);
        }
    }

    /** The persister's commit listener: a user's own events move their read position. */
    void committed(List<PersistedEvent> batch) {
        for (PersistedEvent e : batch) {
            if (e.streamOrdering() != null && e.streamOrdering() > 0) {
                Slot slot = slots.get(new Key(e.pdu().sender(), e.pdu().roomId()));
                if (slot != null) {
                    slot.sent().accumulateAndGet(e.streamOrdering(), Math::max);
                }
            }
        }
    }
}
