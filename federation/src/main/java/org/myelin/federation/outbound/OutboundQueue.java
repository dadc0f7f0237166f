package org.myelin.federation.outbound;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.client.Backoff;
import org.myelin.federation.client.FederationClientException;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.rooms.ports.Outbox;
import org.myelin.storage.federation.OutboundQueueRepository;
import org.myelin.storage.federation.OutboundQueueRepository.LocalEvent;
import org.myelin.storage.federation.OutboundQueueRepository.PendingEdu;
import org.myelin.storage.federation.OutboundQueueRepository.PendingPdu;
import org.myelin.storage.federation.OutboundQueueRepository.QueuedPdu;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.concurrent.RejectedExecutionException;

/**
 * Outbound federation (server-server API, "Transactions"): per destination, a persisted queue
 * of PDUs and EDUs, sent as transactions of at most 50 PDUs and 100 EDUs, one in flight per
 * destination; a failed transaction is retried, with the same transaction id, after the
 * destination's backoff. Rows are deleted only when the destination answered 200, so a restart
 * of either side loses nothing: on start, every destination with rows left is sent to again.
 *
 * <p>Implements rooms' {@link Outbox}: committed local events arrive on the persister's thread
 * and are only handed to an intake thread there (which persists them for each destination, in
 * commit order, moving a timeline position along); on start, local events committed after that
 * position (a crash between commit and queueing) are queued too.
 */
public final class OutboundQueue implements Outbox, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboundQueue.class);
    private static final int CATCH_UP_PAGE = 500;

    /** Sends one transaction; returns the per-PDU errors of a 200 answer, or throws. */
    @FunctionalInterface
    public interface Sender {
        Map<String, String> send(String destination, String txnId, ObjectNode transaction) throws Exception;
    }

    private record Committed(Pdu pdu, Set<String> destinations) {
    }

    /** A transaction sent but not yet answered with 200: retried as it is. */
    private record InFlight(String txnId, ObjectNode json, List<Long> pduIds, List<Long> eduIds) {
    }

    private final String localServer;
    private final OutboundQueueRepository repository;
    private final Function<String, Collection<String>> joinedServers;
    private final Sender sender;
    private final Backoff backoff;
    private final Clock clock;
    private final BlockingQueue<Committed> intake = new LinkedBlockingQueue<>();
    private final Map<String, Destination> destinations = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("federation-retry").daemon(true).factory());
    private final String txnPrefix;
    private final AtomicLong txnCounter = new AtomicLong();
    private volatile boolean closed;
    private Thread intakeThread;
    /** No-op until {@link #recordTo}: a composite with no registry. */
    private volatile io.micrometer.core.instrument.MeterRegistry meters =
            new io.micrometer.core.instrument.composite.CompositeMeterRegistry();

    /**
     * @param joinedServers the servers with joined members in a room, by room id (for catching up)
     */
    public OutboundQueue(String localServer, OutboundQueueRepository repository,
                         Function<String, Collection<String>> joinedServers, Sender sender, Backoff backoff,
                         Clock clock) {
        this.localServer = localServer;
        this.repository = repository;
        this.joinedServers = joinedServers;
        this.sender = sender;
        this.backoff = backoff;
        this.clock = clock;
        this.txnPrefix = Long.toString(clock.millis(), 36) + "_";
    }

    /** Queues what a crash may have left out, then starts sending to every destination with something queued. */
    public void start() {
        intakeThread = Thread.ofVirtual().name("federation-outbox-intake").start(this::runIntake);
    }

    /**
     * Reports the queue with bounded labels, never one per destination: events committed but not
     * yet sorted into destinations, destinations with a transaction unsent or in flight, those
     * backing off, and each transaction's send time by outcome ({@code sent}, {@code refused},
     * {@code failed}).
     */
    public void recordTo(io.micrometer.core.instrument.MeterRegistry registry) {
        io.micrometer.core.instrument.Gauge.builder("myelin.federation.outbound.intake", intake, Collection::size)
                .description("Committed events not yet queued per destination").register(registry);
        io.micrometer.core.instrument.Gauge.builder("myelin.federation.outbound.destinations.pending", destinations,
                        d -> d.values().stream().filter(Destination::pending).count())
                .description("Destinations with a transaction being sent or waiting to be").register(registry);
        io.micrometer.core.instrument.Gauge.builder("myelin.federation.outbound.destinations.backing_off",
                        destinations, d -> d.keySet().stream().filter(backoff::isBackingOff).count())
                .description("Destinations not retried until their backoff ends").register(registry);
        this.meters = registry;
    }

    // ---- intake ----

    /** Rooms' outbox: hands over a committed local event. Never blocks. */
    @Override
    public void send(Pdu event, Set<String> to) {
        if (closed) {
            return; // the position was not moved past it: the next start queues it
        }
        Set<String> targets = new LinkedHashSet<>(to);
        targets.remove(localServer);
        if (!targets.isEmpty()) {
            intake.add(new Committed(event, targets));
        }
    }

    /** Queues an EDU (typing, receipt, presence …) for {@code destination} and wakes its queue. */
    public void queueEdu(String destination, Edu edu) {
        if (destination.equals(localServer)) {
            return;
        }
        repository.enqueueEdu(destination, edu.type(), CanonicalJson.encode(edu.content()), clock.millis());
        destination(destination).wake();
    }

    /**
     * EDUs for {@code destination} were queued in the transaction of another writer (to-device
     * messages, stored with their EDUs): sends them.
     */
    public void queued(String destination) {
        if (!destination.equals(localServer)) {
            destination(destination).wake();
        }
    }

    /** {@code destination} showed it is up (it sent us a request): reset its backoff and send now. */
    public void remoteServerUp(String destination) {
        if (backoff.failures(destination) > 0) {
            backoff.success(destination);
            destination(destination).wake();
        }
    }

    /**
     * An admin reset the destination's backoff (Synapse's {@code reset_connection}): forget its
     * failures and send what is queued for it now.
     */
    public void retryNow(String destination) {
        backoff.success(destination);
        if (!destination.equals(localServer)) {
            destination(destination).wake();
        }
    }

    /** The destinations this process has sent to, or tried to, since it started. */
    public Set<String> destinationsSeen() {
        return Set.copyOf(destinations.keySet());
    }

    private void runIntake() {
        try {
            catchUp();
            for (String d : repository.destinationsWithPending()) {
                destination(d).wake();
            }
        } catch (RuntimeException e) {
            LOG.error("Outbound federation could not catch up on start", e);
        }
        List<Committed> batch = new ArrayList<>();
        while (!closed) {
            try {
                Committed first = intake.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                intake.drainTo(batch, 499);
                persist(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Not lost: the position did not move, so the next start queues these events.
                LOG.error("Could not queue {} events for federation", batch.size(), e);
            } finally {
                batch.clear();
            }
        }
    }

    private void persist(List<Committed> batch) {
        List<QueuedPdu> rows = new ArrayList<>();
        Set<String> touched = new LinkedHashSet<>();
        for (Committed c : batch) {
            for (String d : c.destinations()) {
                rows.add(new QueuedPdu(d, c.pdu().eventId()));
                touched.add(d);
            }
        }
        repository.enqueueCommitted(rows, clock.millis());
        touched.forEach(d -> destination(d).wake());
    }

    /** Queues local events committed after the stored position, to the servers now in their rooms. */
    private void catchUp() {
        long position = repository.position();
        while (!closed) {
            List<LocalEvent> events = repository.localEventsAfter(position, localServer, CATCH_UP_PAGE);
            if (events.isEmpty()) {
                return;
            }
            Map<String, Collection<String>> servers = new ConcurrentHashMap<>();
            List<QueuedPdu> rows = new ArrayList<>();
            for (LocalEvent e : events) {
                for (String d : servers.computeIfAbsent(e.roomId(), joinedServers)) {
                    if (!d.equals(localServer)) {
                        rows.add(new QueuedPdu(d, e.eventId()));
                    }
                }
            }
            position = events.getLast().streamOrdering();
            repository.enqueuePdus(rows, position, clock.millis());
            if (!rows.isEmpty()) {
                LOG.info("Queued {} PDUs committed before the last stop", rows.size());
            }
        }
    }

    // ---- per destination ----

    private Destination destination(String name) {
        return destinations.computeIfAbsent(name, Destination::new);
    }

    private String nextTxnId() {
        return txnPrefix + txnCounter.incrementAndGet();
    }

    /** One destination's sender: one transaction in flight at a time. */
    private final class Destination {
        private final String name;
        private final AtomicBoolean running = new AtomicBoolean();
        private final AtomicReference<ScheduledFuture<?>> retry = new AtomicReference<>();
        private volatile boolean dirty;
        /** Touched only by the one running task. */
        private InFlight inFlight;

        Destination(String name) {
            this.name = name;
        }

        void wake() {
            dirty = true;
            if (!closed && running.compareAndSet(false, true)) {
                try {
                    workers.execute(this::run);
                } catch (RejectedExecutionException e) {
                    running.set(false);
                }
            }
        }

        private void run() {
            try {
                drain();
            } catch (RuntimeException e) {
                LOG.error("Outbound queue to {} failed", name, e);
                backoff.failure(name);
                scheduleRetry();
            } finally {
                running.set(false);
            }
            if (dirty && !backoff.isBackingOff(name)) {
                wake();
            }
        }

        /** A transaction in flight, a send running, or a retry scheduled. */
        boolean pending() {
            return running.get() || dirty || retry.get() != null;
        }

        private void drain() {
            while (!closed) {
                dirty = false;
                if (backoff.isBackingOff(name)) {
                    scheduleRetry();
                    return;
                }
                if (inFlight == null) {
                    inFlight = nextTransaction();
                    if (inFlight == null) {
                        return;
                    }
                }
                long started = System.nanoTime();
                String outcome = "failed";
                try {
                    Map<String, String> errors = sender.send(name, inFlight.txnId(), inFlight.json());
                    outcome = "sent";
                    errors.forEach((id, error) -> LOG.info("{} rejected {}: {}", name, id, error));
                    delivered();
                    backoff.success(name);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    if (isPermanent(e)) {
                        outcome = "refused";
                        LOG.error("{} refused transaction {} for good ({}); dropping it", name, inFlight.txnId(),
                                e.getMessage());
                        delivered();
                        continue;
                    }
                    long delay = backoff.failure(name);
                    LOG.info("Transaction {} to {} failed ({}); retrying in {} ms", inFlight.txnId(), name,
                            e.getMessage(), delay);
                    scheduleRetry();
                    return;
                } finally {
                    io.micrometer.core.instrument.Timer.builder("myelin.federation.transaction.send")
                            .description("Time to send one transaction to a destination, by outcome")
                            .tag("outcome", outcome).publishPercentileHistogram().register(meters)
                            .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                }
            }
        }

        private void delivered() {
            repository.delivered(inFlight.pduIds(), inFlight.eduIds());
            inFlight = null;
        }

        private InFlight nextTransaction() {
            List<PendingPdu> pdus = repository.pendingPdus(name, TransactionBatch.MAX_PDUS);
            List<PendingEdu> edus = repository.pendingEdus(name, TransactionBatch.MAX_EDUS);
            if (pdus.isEmpty() && edus.isEmpty()) {
                return null;
            }
            List<Edu> eduValues = new ArrayList<>();
            for (PendingEdu e : edus) {
                eduValues.add(new Edu(e.eduType(), MatrixJson.parseObject(e.content(), MatrixJson.Numbers.LENIENT)));
            }
            ObjectNode json = TransactionBatch.transaction(localServer, clock.millis(),
                    pdus.stream().map(PendingPdu::pdu).toList(), eduValues);
            return new InFlight(nextTxnId(), json, pdus.stream().map(PendingPdu::queueId).toList(),
                    edus.stream().map(PendingEdu::queueId).toList());
        }

        private void scheduleRetry() {
            if (closed) {
                return;
            }
            long delay = Math.max(0, backoff.retryAt(name) - clock.millis());
            ScheduledFuture<?> next;
            try {
                next = timers.schedule(() -> {
                    retry.set(null);
                    wake();
                }, delay + 1, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                return;
            }
            ScheduledFuture<?> previous = retry.getAndSet(next);
            if (previous != null) {
                previous.cancel(false);
            }
        }
    }

    /** An answer that retrying cannot change: the destination finds the transaction itself malformed. */
    private static boolean isPermanent(Exception e) {
        return e instanceof FederationClientException f && f.kind() == FederationClientException.Kind.HTTP_ERROR
                && (f.status() == 400 || f.status() == 413);
    }

    @Override
    public void close() {
        closed = true;
        if (intakeThread != null) {
            intakeThread.interrupt();
        }
        timers.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
