package org.myelin.storage.events;

import org.myelin.protocol.event.Pdu;

/**
 * An event after its transaction committed.
 *
 * @param nid            its numeric id
 * @param pdu            the event
 * @param streamOrdering its timeline position, or null
 * @param visible        whether clients may see it (not soft-failed, not rejected, not an outlier)
 * @param alreadyKnown   the event was stored before; nothing was written
 * @param clientTransaction the client transaction committed with it ({@link PersistRequest#clientTransaction()}), or null
 */
public record PersistedEvent(long nid, Pdu pdu, Long streamOrdering, boolean visible, boolean alreadyKnown,
                             ClientTransactionRepository.Key clientTransaction) {

    public PersistedEvent(long nid, Pdu pdu, Long streamOrdering, boolean visible, boolean alreadyKnown) {
        this(nid, pdu, streamOrdering, visible, alreadyKnown, null);
    }
}
