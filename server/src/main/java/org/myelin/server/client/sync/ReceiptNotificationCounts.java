package org.myelin.server.client.sync;

import org.myelin.storage.receipts.ReceiptRepository;
import org.myelin.storage.sync.RoomSyncQueries;

import java.util.List;

/**
 * Notification counts without a push rule engine: the messages others sent after the user's read
 * position, which is their furthest {@code m.read} or {@code m.read.private} receipt or their own
 * latest event, whichever is later (sending counts as reading, spec "Marking notifications as
 * read"). Message types are those the default push rules notify for; nothing highlights.
 */
public final class ReceiptNotificationCounts implements NotificationCounts {

    /** The event types the default underride rules notify for (messages, encrypted, stickers, calls). */
    static final List<String> NOTIFYING_TYPES = List.of("m.room.message", "m.room.encrypted", "m.sticker",
            "m.call.invite");
    static final List<String> READ_RECEIPTS = List.of("m.read", "m.read.private");

    private final ReceiptRepository receipts;
    private final RoomSyncQueries rooms;

    public ReceiptNotificationCounts(ReceiptRepository receipts, RoomSyncQueries rooms) {
        this.receipts = receipts;
        this.rooms = rooms;
    }

    @Override
    public SyncResponse.UnreadCounts count(String userId, String roomId, long upTo) {
        int unread = rooms.countFromOthers(roomId, userId, NOTIFYING_TYPES, readPosition(userId, roomId, upTo), upTo);
        return new SyncResponse.UnreadCounts(0, unread);
    }

    /** The timeline position up to which {@code userId} has read the room's main timeline. */
    public long readPosition(String userId, String roomId, long upTo) {
        return Math.max(receipts.readUpTo(roomId, userId, READ_RECEIPTS), rooms.lastSentBy(roomId, userId, upTo));
    }
}
