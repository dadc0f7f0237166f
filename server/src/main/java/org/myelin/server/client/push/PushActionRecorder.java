package org.myelin.server.client.push;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.push.PushActions;
import org.myelin.protocol.push.PushRule;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.push.PushActionRepository;
import org.myelin.storage.push.PushActionRepository.PushAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Records the push actions of every event that notifies local users (Synapse's
 * {@code event_push_actions}), local and federated alike, after the event commits: the event
 * persister's commit listener only queues the batch; one virtual thread of this recorder
 * evaluates push rules and writes, so neither the persister nor a room's lock waits for it.
 *
 * <p>Restart-safe: the position up to which events were looked at is stored with the actions, in
 * the same transaction. At start the recorder reads the events that committed after it (a crash
 * between an event's commit and its actions loses nothing) before it takes the live batches, and
 * after a failed write, or when it fell so far behind that live batches were dropped, it reads
 * what it missed from the store. An event recorded twice keeps its first actions.
 *
 * <pre>{@code
 * rooms.onCommit(recorder::committed);
 * recorder.start(rooms.events.maxStreamOrdering());   // after onCommit: nothing falls in between
 * recorder.onRecorded(users -> pushers.wake(users));
 * recorder.awaitProcessed(position, Duration.ofSeconds(5));   // read your writes
 * }</pre>
 */
public final class PushActionRecorder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PushActionRecorder.class);
    /** Events read from the store at once when catching up. */
    static final int PAGE = 100;
    private static final long RETRY_INITIAL_MS = 500;
    private static final long RETRY_MAX_MS = 30_000;
    /** Batches waiting at most; past it a batch is dropped and read from the store instead. */
    static final int MAX_QUEUED = 10_000;

    /** A committed event to look at, with when it was received. */
    private record Committed(Pdu pdu, long position, long receivedTs) {
    }

    private final PushActionRepository repository;
    private final EventRepository events;
    private final NotifiedUsers notified;
    private final PushEvaluation push;
    private final Clock clock;
    private final BlockingQueue<List<Committed>> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition moved = lock.newCondition();
    private volatile long processed;
    /** The newest position of a batch dropped because the queue was full (0 if none). */
    private final AtomicLong droppedUpTo = new AtomicLong();
    private volatile Consumer<Set<String>> recorded = users -> { };
    private volatile boolean closed;
    private Thread worker;
    /**
     * Room facts (members, power levels, names) as of the last state event the worker looked at
     * in each room: a message costs no query. Only the worker thread touches it; events come in
     * stream order, so a state event is seen before the events that follow it.
     */
    private final Cache<String, PushEvaluation.RoomFacts> facts =
            Caffeine.newBuilder().maximumSize(1_000).recordStats().build();

    /**
     * What the recorder reads and writes.
     *
     * @param notified who each event notifies, evaluated once per event and shared with /sync
     */
    public record Parts(NotifiedUsers notified, EventRepository events, PushActionRepository repository) {
    }

    public PushActionRecorder(Parts parts, PushEvaluation push, Clock clock) {
        this.repository = parts.repository();
        this.events = parts.events();
        this.notified = parts.notified();
        this.push = push;
        this.clock = clock;
    }

    /** Told, after each write, of the users who got new push actions (to wake their pushers). */
    public void onRecorded(Consumer<Set<String>> listener) {
        this.recorded = listener;
    }

    /** The event persister's commit listener: queues the events that may notify. Never blocks. */
    public void committed(List<PersistedEvent> batch) {
        long now = clock.millis();
        List<Committed> notifiable = new ArrayList<>();
        for (PersistedEvent e : batch) {
            if (!e.alreadyKnown() && e.streamOrdering() != null && e.streamOrdering() > 0
                    && (e.visible() || isMembership(e.pdu()))) {
                notifiable.add(new Committed(e.pdu(), e.streamOrdering(), now));
            }
        }
        if (notifiable.isEmpty()) {
            return;
        }
        if (queue.size() >= MAX_QUEUED) {
            // Far behind: the worker reads these from the store before it takes any later batch.
            droppedUpTo.accumulateAndGet(notifiable.getLast().position(), Math::max);
        } else {
            queue.add(notifiable);
        }
    }

    /**
     * Starts recording: first what committed after the stored position up to
     * {@code committedUpTo} (read by the caller after registering {@link #committed}), then the
     * live batches.
     */
    public void start(long committedUpTo) {
        processed = repository.processedUpTo();
        notified.storedUpTo(processed);
        worker = Thread.ofVirtual().name("push-action-recorder").start(() -> run(committedUpTo));
    }

    /** The timeline position up to which every event's push actions are recorded. */
    public long processedUpTo() {
        return processed;
    }

    /** Waits until events up to {@code position} are recorded, at most {@code timeout}; whether they are. */
    public boolean awaitProcessed(long position, Duration timeout) {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (processed < position && !closed) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = moved.awaitNanos(nanos);
            }
            return processed >= position;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void run(long committedUpTo) {
        long known = committedUpTo;
        long retryMs = RETRY_INITIAL_MS;
        while (!closed) {
            try {
                known = Math.max(known, droppedUpTo.get());
                if (processed < known) {
                    catchUp(known);
                }
                List<Committed> batch = queue.take();
                if (batch.isEmpty()) {
                    continue; // woken to close
                }
                long newest = batch.getLast().position();
                known = Math.max(known, newest);
                // What the catch-up already read is skipped; on failure, the next turn reads it from the store.
                record(batch.stream().filter(c -> c.position() > processed).toList(), newest);
                retryMs = RETRY_INITIAL_MS;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Recording push actions failed after position {}; retrying in {} ms", processed, retryMs, e);
                if (!pause(retryMs)) {
                    return;
                }
                retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
            }
        }
    }

    /** Records the events of the store after the recorded position, up to {@code upTo}. */
    private void catchUp(long upTo) {
        while (processed < upTo && !closed) {
            List<StoredEvent> page = events.live(processed, upTo, PAGE);
            long now = clock.millis();
            List<Committed> committed = new ArrayList<>(page.size());
            for (StoredEvent e : page) {
                committed.add(new Committed(e.pdu(), e.streamOrdering(), Math.min(e.pdu().originServerTs(), now)));
            }
            record(committed, page.size() < PAGE ? upTo : page.getLast().streamOrdering());
        }
    }

    /** Evaluates {@code batch} and stores its actions with the recorded position moved to {@code upTo}. */
    private void record(List<Committed> batch, long upTo) {
        List<PushAction> actions = new ArrayList<>();
        for (Committed c : batch) {
            if (c.pdu().isState()) {
                facts.invalidate(c.pdu().roomId()); // read again for the events after it
            }
            Map<String, PushActions> byUser = notified.of(c.pdu(),
                    this::roomFacts);
            byUser.forEach((userId, a) -> actions.add(new PushAction(userId, c.pdu().roomId(), c.pdu().eventId(),
                    c.position(), PushRule.actionsJson(a.actions()).toString(), a.highlights(), c.receivedTs())));
        }
        repository.record(actions, upTo);
        notified.storedUpTo(upTo);
        lock.lock();
        try {
            processed = Math.max(processed, upTo);
            moved.signalAll();
        } finally {
            lock.unlock();
        }
        if (!actions.isEmpty()) {
            Set<String> users = new LinkedHashSet<>();
            actions.forEach(a -> users.add(a.userId()));
            try {
                recorded.accept(users);
            } catch (RuntimeException e) {
                LOG.warn("Push action listener failed", e);
            }
        }
    }

    private static boolean isMembership(Pdu pdu) {
        return pdu.isState() && "m.room.member".equals(pdu.type());
    }

    private boolean pause(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops recording; what is left is recorded at the next start. */
    @Override
    public void close() {
        closed = true;
        queue.add(List.of());
        lock.lock();
        try {
            moved.signalAll();
        } finally {
            lock.unlock();
        }
        if (worker != null) {
            try {
                if (!worker.join(Duration.ofSeconds(10))) {
                    worker.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private PushEvaluation.RoomFacts roomFacts(String roomId) {
        // Not Cache.get(key, loader): no query inside the cache's compute.
        PushEvaluation.RoomFacts known = facts.getIfPresent(roomId);
        if (known == null) {
            known = push.roomFacts(roomId);
            facts.put(roomId, known);
        }
        return known;
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("push_room_facts", facts);
    }
}
