package org.myelin.server.client.sync;

import org.myelin.protocol.push.PushActions;
import org.myelin.server.client.push.PushEvaluation;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineFilter;
import org.myelin.storage.events.TimelineRepository;

import java.util.List;

/**
 * Notification counts by the user's push rules (client-server API, "Receiving notifications"):
 * every event others sent after the user's read position ({@link ReceiptNotificationCounts#readPosition})
 * is evaluated; those whose actions notify count, and among them those that highlight.
 * Only the newest {@value #MAX_EVALUATED} unread events are evaluated: clients show such
 * numbers as "99+" anyway.
 */
public final class PushRuleNotificationCounts implements NotificationCounts {

    static final int MAX_EVALUATED = 500;

    private final ReceiptNotificationCounts reads;
    private final TimelineRepository timeline;
    private final PushEvaluation push;

    public PushRuleNotificationCounts(ReceiptNotificationCounts reads, TimelineRepository timeline,
                                      PushEvaluation push) {
        this.reads = reads;
        this.timeline = timeline;
        this.push = push;
    }

    @Override
    public SyncResponse.UnreadCounts count(String userId, String roomId, long upTo) {
        long read = reads.readPosition(userId, roomId, upTo);
        if (read >= upTo) {
            return SyncResponse.UnreadCounts.NONE;
        }
        List<StoredEvent> unread = timeline.page(roomId, upTo, read, MAX_EVALUATED, true, TimelineFilter.ALL);
        if (unread.isEmpty()) {
            return SyncResponse.UnreadCounts.NONE;
        }
        PushEvaluation.RoomFacts facts = push.roomFacts(roomId);
        int notifications = 0;
        int highlights = 0;
        for (StoredEvent e : unread) {
            if (e.pdu().sender().equals(userId)) {
                continue;
            }
            PushActions actions = push.evaluate(userId, e.pdu(), facts);
            if (actions.notifies()) {
                notifications++;
                if (actions.highlights()) {
                    highlights++;
                }
            }
        }
        return new SyncResponse.UnreadCounts(highlights, notifications);
    }
}
