package org.myelin.federation.inbound;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One inbound transaction of each origin at a time, in the order they came (Synapse handles one
 * transaction per origin at a time too). A server's own senders send one at a time anyway; a
 * server that sends many at once waits for its own, and the work one origin can cause (state
 * resolution, fetching what its events lack) is that of one transaction, on one thread, whatever
 * it sends. Other origins are not held up. A turn is dropped once nobody holds or awaits it.
 */
final class OriginTurns {

    /** An origin's turn: a fair lock, and how many transactions hold or await it. */
    private static final class Turn {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
    }

    private final Map<String, Turn> turns = new ConcurrentHashMap<>();

    /** Runs {@code work} in {@code origin}'s turn: after its transactions that came before. */
    <T> T inTurn(String origin, Supplier<T> work) {
        Turn turn = turns.compute(origin, (o, t) -> {
            Turn taken = t == null ? new Turn() : t;
            taken.users++;
            return taken;
        });
        try {
            turn.lock.lock();
            try {
                return work.get();
            } finally {
                turn.lock.unlock();
            }
        } finally {
            turns.compute(origin, (o, t) -> --t.users == 0 ? null : t);
        }
    }

    /** How many transactions of {@code origin} await their turn. */
    int waiting(String origin) {
        Turn turn = turns.get(origin);
        return turn == null ? 0 : turn.lock.getQueueLength();
    }
}
