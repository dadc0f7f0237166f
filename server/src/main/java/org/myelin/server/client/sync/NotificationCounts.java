package org.myelin.server.client.sync;

/**
 * Unread notification counts of a room for /sync (client-server API, "Receiving notifications").
 * A push rule engine implements this to count what its rules say notifies and highlights;
 * until then {@link ReceiptNotificationCounts} approximates the default rules.
 */
public interface NotificationCounts {

    /** The counts of {@code roomId} for {@code userId} as of timeline position {@code upTo}. */
    SyncResponse.UnreadCounts count(String userId, String roomId, long upTo);
}
