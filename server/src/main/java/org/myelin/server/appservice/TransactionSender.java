package org.myelin.server.appservice;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.myelin.protocol.event.Pdu;
import org.myelin.server.http.Json;
import org.myelin.storage.appservice.AppServiceTxnRepository;
import org.myelin.storage.appservice.AppServiceTxnRepository.PendingTxn;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.events.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes one application service its transactions (application service API, "Pushing events",
 * {@code PUT /_matrix/app/v1/transactions/{txnId}}), on a virtual thread of its own: one
 * transaction in flight, in order, ids increasing. A transaction is stored before it is sent and
 * forgotten only when the service answers 2xx; until then it is resent, same id, same body,
 * after 1, 2, 4 … up to 512 seconds (Synapse's recoverer). Events are read from the timeline
 * past the service's stored position, so a restart resumes where the service was left.
 */
final class TransactionSender implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionSender.class);
    private static final int PAGE = 100;
    private static final long FIRST_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 512_000;
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);
    /** How long an idle sender sleeps if nothing wakes it: a safety net, not the way it learns of events. */
    private static final long IDLE_MS = 30_000;

    /** What the sender reads: the timeline, its position, events in client format, the rooms. */
    record Parts(EventRepository events, LongSupplier timelinePosition, Function<List<Pdu>, List<ObjectNode>> format,
                 EventInterest.Rooms rooms, AppServiceTxnRepository txns, AppServiceClient client) {
    }

    private final AppService service;
    private final Parts parts;
    final EphemeralQueue ephemeral = new EphemeralQueue();
    final EphemeralQueue toDevice = new EphemeralQueue();
    private final Semaphore wake = new Semaphore(0);
    /**
     * The newest position committed as the commit listener saw it: it is told before the timeline
     * position moves, and a sender woken then must not read the old position and go back to sleep.
     */
    private final java.util.concurrent.atomic.AtomicLong committed = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    TransactionSender(AppService service, Parts parts) {
        this.service = service;
        this.parts = parts;
    }

    /** Events up to {@code position} are committed: look at them now. */
    void committed(long position) {
        committed.accumulateAndGet(position, Math::max);
        wake();
    }

    /** Something may be waiting for the service: look now. */
    void wake() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    void close() {
        closed = true;
        wake.release();
    }

    @Override
    public void run() {
        long position = -1;
        long backoff = FIRST_BACKOFF_MS;
        while (!closed) {
            try {
                if (position < 0) {
                    position = parts.txns().position(service.id(), parts.timelinePosition().getAsLong());
                }
                Optional<PendingTxn> pending = parts.txns().oldest(service.id());
                if (pending.isPresent()) {
                    if (push(pending.get())) {
                        parts.txns().acknowledged(service.id(), pending.get().txnId());
                        backoff = FIRST_BACKOFF_MS;
                    } else {
                        sleep(backoff);
                        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                    }
                    continue;
                }
                long before = position;
                position = makeTransaction(position);
                if (position == before && ephemeral.isEmpty() && toDevice.isEmpty()
                        && parts.txns().oldest(service.id()).isEmpty()) {
                    idle();
                }
            } catch (RuntimeException e) {
                LOG.warn("Application service {}: {}", service.id(), e.toString(), e);
                sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }

    /**
     * Reads the events after {@code position}, keeps those of interest and, with the waiting
     * ephemeral events and to-device messages, stores them as the next transaction. Returns
     * the new position.
     */
    private long makeTransaction(long position) {
        long upTo = Math.max(parts.timelinePosition().getAsLong(), committed.get());
        List<StoredEvent> page = position < upTo ? parts.events().live(position, upTo, PAGE) : List.of();
        long next = page.size() < PAGE ? Math.max(position, upTo) : page.getLast().streamOrdering();
        EventInterest interest = new EventInterest(service, parts.rooms());
        List<Pdu> wanted = new ArrayList<>();
        for (StoredEvent e : page) {
            if (interest.wants(e.pdu())) {
                wanted.add(e.pdu());
            }
        }
        boolean ephemeralWanted = service.ephemeral() != AppService.Ephemeral.NONE;
        List<ObjectNode> edus = ephemeralWanted ? ephemeral.take(PAGE) : List.of();
        List<ObjectNode> messages = ephemeralWanted ? toDevice.take(PAGE) : List.of();
        if (wanted.isEmpty() && edus.isEmpty() && messages.isEmpty()) {
            if (next > position) {
                parts.txns().advance(service.id(), next, null);
            }
            return next;
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("events").addAll(parts.format().apply(wanted));
        if (ephemeralWanted) {
            body.putArray(service.ephemeral().field()).addAll(edus);
            body.putArray(AppService.TO_DEVICE_FIELD).addAll(messages);
        }
        try {
            long txnId = parts.txns().advance(service.id(), next, Json.MAPPER.writeValueAsBytes(body));
            LOG.debug("Application service {}: transaction {} with {} events", service.id(), txnId, wanted.size());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return next;
    }

    private boolean push(PendingTxn txn) {
        try {
            AppServiceClient.Answer answer = parts.client().send(service, HttpMethod.PUT,
                    "/transactions/" + txn.txnId(), txn.body(), SEND_TIMEOUT);
            if (answer.ok()) {
                return true;
            }
            LOG.warn("Application service {} answered transaction {} with HTTP {}", service.id(), txn.txnId(),
                    answer.status());
        } catch (AppServiceClient.Unreachable e) {
            LOG.warn("Application service {} unreachable for transaction {}: {}", service.id(), txn.txnId(),
                    e.getMessage());
        }
        return false;
    }

    private void idle() {
        try {
            wake.tryAcquire(IDLE_MS, TimeUnit.MILLISECONDS);
            wake.drainPermits();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Waits {@code ms}, or less if closed; new events do not cut a backoff short. */
    private void sleep(long ms) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        try {
            while (!closed) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                wake.tryAcquire(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }
}
