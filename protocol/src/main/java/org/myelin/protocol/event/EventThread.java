package org.myelin.protocol.event;

import java.util.Optional;
import java.util.function.Function;

/**
 * Which thread an event is in (client-server API, "Threaded read receipts"): a thread reply
 * ({@code rel_type} {@code m.thread}) is in its root's thread, and so is an event whose chain of
 * relations reaches a thread reply within {@value #MAX_HOPS} hops (a reaction to a reply, an edit
 * of one); every other event, thread roots included, is in the main timeline, {@value #MAIN}.
 * Relations are looked up through the function given, which answers empty for an unknown event.
 */
public final class EventThread {

    /** The thread id of the main timeline (receipts, notification counts). */
    public static final String MAIN = "main";
    /** How many parents are followed at most, as the spec recommends. */
    public static final int MAX_HOPS = 3;

    private EventThread() {
    }

    /**
     * The root of the thread of an event with {@code relation}, or {@link #MAIN}.
     *
     * @param relationOf an event's relation by its id (empty when it has none or is unknown)
     */
    public static String of(Optional<Relation> relation, Function<String, Optional<Relation>> relationOf) {
        Optional<Relation> r = relation;
        for (int hop = 0; r.isPresent() && hop <= MAX_HOPS; hop++) {
            if (r.get().relType().equals(Relation.THREAD)) {
                return r.get().parentId();
            }
            r = relationOf.apply(r.get().parentId());
        }
        return MAIN;
    }

    /**
     * The event at the top of the chain of relations that starts at {@code eventId} (which has
     * {@code relation}): itself when it relates to nothing, else the last parent reached within
     * {@value #MAX_HOPS} hops, known or not. A receipt in a thread may name any event whose chain
     * ends at the thread's root, the root included (Synapse's {@code get_thread_id_for_receipts}).
     */
    public static String topOf(String eventId, Optional<Relation> relation,
                               Function<String, Optional<Relation>> relationOf) {
        String top = eventId;
        Optional<Relation> r = relation;
        for (int hop = 0; r.isPresent() && hop <= MAX_HOPS; hop++) {
            top = r.get().parentId();
            r = relationOf.apply(top);
        }
        return top;
    }
}
