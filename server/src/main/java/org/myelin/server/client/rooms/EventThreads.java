package org.myelin.server.client.rooms;

import org.myelin.protocol.event.EventThread;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.Relation;
import org.myelin.rooms.events.EventCache;
import org.myelin.storage.events.RelationRepository;
import org.myelin.storage.events.StoredEvent;

import java.util.Optional;

/**
 * Which thread an event of a room is in ({@link EventThread}), its parents read through the event
 * cache: only a visible event of the same room counts as a parent. Used for threaded read
 * receipts and the notification counts of each thread.
 */
public final class EventThreads {

    private final EventCache events;
    private final RelationRepository relations;

    public EventThreads(EventCache events, RelationRepository relations) {
        this.events = events;
        this.relations = relations;
    }

    /** The root of the thread {@code event} is in, or {@link EventThread#MAIN}. */
    public String threadOf(Pdu event) {
        Optional<Relation> relation = Relation.of(event);
        return relation.isEmpty() ? EventThread.MAIN : EventThread.of(relation, id -> relationOf(event.roomId(), id));
    }

    /**
     * Whether a receipt in thread {@code threadId} may name {@code event}, as Synapse checks it:
     * in the main timeline, an event of the main timeline; in a thread, the thread's root or an
     * event whose chain of relations ends there, the root having replies.
     */
    public boolean receiptFits(StoredEvent event, String threadId) {
        Pdu pdu = event.pdu();
        if (threadId.equals(EventThread.MAIN)) {
            return threadOf(pdu).equals(EventThread.MAIN);
        }
        String top = EventThread.topOf(pdu.eventId(), Relation.of(pdu), id -> relationOf(pdu.roomId(), id));
        return top.equals(threadId) && relations.isThreadRoot(pdu.roomId(), threadId);
    }

    private Optional<Relation> relationOf(String roomId, String eventId) {
        StoredEvent parent = events.stored(eventId);
        if (parent == null || !parent.pdu().roomId().equals(roomId) || !parent.isVisibleInTimeline()) {
            return Optional.empty();
        }
        return Relation.of(parent.pdu());
    }
}
