package org.myelin.server.appservice;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ephemeral events (typing, receipts, presence) or to-device messages waiting for an
 * application service's next transaction. In memory, as in Synapse: they are stored once they
 * are in a transaction. Bounded: a service that stays away long loses the oldest, which are
 * stale by then.
 */
final class EphemeralQueue {

    private static final int LIMIT = 10_000;

    private final ConcurrentLinkedDeque<ObjectNode> waiting = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();

    void add(ObjectNode event) {
        waiting.addLast(event);
        if (size.incrementAndGet() > LIMIT && waiting.pollFirst() != null) {
            size.decrementAndGet();
        }
    }

    /** Up to {@code max} of the oldest, removed. */
    List<ObjectNode> take(int max) {
        List<ObjectNode> taken = new ArrayList<>();
        ObjectNode e;
        while (taken.size() < max && (e = waiting.pollFirst()) != null) {
            size.decrementAndGet();
            taken.add(e);
        }
        return taken;
    }

    boolean isEmpty() {
        return waiting.isEmpty();
    }
}
