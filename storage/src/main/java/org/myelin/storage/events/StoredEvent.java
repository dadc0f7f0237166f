package org.myelin.storage.events;

import org.myelin.protocol.event.Pdu;

/**
 * An event as stored: the event and where it stands.
 *
 * @param nid             the compact numeric id
 * @param pdu             the event
 * @param streamOrdering  its place in the timeline (negative for backfilled), or null for outliers and rejected events
 * @param outlier         stored without a place in the graph (fetched for auth, an invite)
 * @param softFailed      accepted into the graph but hidden from clients (failed auth against current state)
 * @param rejectedReason  why it failed auth, or null if it passed
 */
public record StoredEvent(long nid, Pdu pdu, Long streamOrdering, boolean outlier, boolean softFailed,
                          String rejectedReason) {

    public String eventId() {
        return pdu.eventId();
    }

    public boolean isRejected() {
        return rejectedReason != null;
    }

    /** Whether clients may see it in a timeline. */
    public boolean isVisibleInTimeline() {
        return streamOrdering != null && !softFailed && rejectedReason == null;
    }
}
