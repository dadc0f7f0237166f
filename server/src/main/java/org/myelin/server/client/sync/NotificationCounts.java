package org.myelin.server.client.sync;

import java.util.Collection;
import java.util.Map;

/**
 * Unread notification counts of a room for /sync (client-server API, "Receiving notifications").
 * A push rule engine implements this to count what its rules say notifies and highlights;
 * without one {@link ReceiptNotificationCounts} approximates the default rules.
 */
public interface NotificationCounts {

    /**
     * A room's counts split by thread (spec "Threaded read receipts"): those of the main timeline,
     * and of each thread that has any, by its root's id (null: not split).
     */
    record ByThread(SyncResponse.UnreadCounts main, Map<String, SyncResponse.UnreadCounts> threads) {
        public static final ByThread NONE = new ByThread(SyncResponse.UnreadCounts.NONE, Map.of());
    }

    /**
     * About to count {@code roomIds} for {@code userId}: reads what the counts need of all of them
     * at once where that is cheaper than room by room (an initial sync). Nothing by default.
     */
    default void prepare(String userId, Collection<String> roomIds) {
    }

    /** The counts of {@code roomId} for {@code userId} as of timeline position {@code upTo}, every thread together. */
    SyncResponse.UnreadCounts count(String userId, String roomId, long upTo);

    /**
     * The counts of {@code roomId} for {@code userId} as of timeline position {@code upTo}, thread by
     * thread, for a client that asked for {@code unread_thread_notifications}. Without a thread
     * aware count, everything is the main timeline's.
     */
    default ByThread countByThread(String userId, String roomId, long upTo) {
        return new ByThread(count(userId, roomId, upTo), Map.of());
    }
}
