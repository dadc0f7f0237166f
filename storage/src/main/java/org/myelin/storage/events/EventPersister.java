package org.myelin.storage.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.myelin.storage.StorageException;
import org.myelin.storage.state.StateSnapshot;
import org.myelin.storage.state.StateSnapshotRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Writes events to PostgreSQL with group commit: requests queue up while a transaction is in
 * flight, and the next transaction writes all of them, so a burst of events costs a few commits
 * rather than one each. A request's future completes only after its transaction committed: an
 * acknowledged event is durable.
 *
 * <p>Stream positions are assigned inside the transaction under an advisory lock, so positions
 * become visible in order even with several processes writing: a reader that sees position N
 * has seen every position below it.
 */
public final class EventPersister implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventPersister.class);
    /** Advisory lock key serialising stream position allocation across processes. */
    static final long STREAM_LOCK = 0x6d79656c696eL;
    private static final int MAX_BATCH = 200;

    private record Pending(PersistRequest request, CompletableFuture<PersistedEvent> result) {
    }

    private final DataSource dataSource;
    private final EventWrites writes;
    private final StateSnapshotRepository snapshots;
    private final Consumer<List<PersistedEvent>> onCommit;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    /** No-op meters (a composite with no registry) until {@link #recordTo} is called. */
    private volatile Counter persisted = Counter.builder("myelin.events.persisted").register(new CompositeMeterRegistry());
    private volatile Timer batches = Timer.builder("myelin.events.persist.batch").register(new CompositeMeterRegistry());

    /**
     * @param onCommit called on the writer thread with each committed batch, in stream order;
     *                 it must hand work off rather than block
     */
    public EventPersister(DataSource dataSource, StateSnapshotRepository snapshots,
                          Consumer<List<PersistedEvent>> onCommit) {
        this.dataSource = dataSource;
        this.snapshots = snapshots;
        this.writes = new EventWrites(snapshots);
        this.onCommit = onCommit;
        this.writer = Thread.ofPlatform().name("event-persister").daemon(true).start(this::run);
    }

    /**
     * Counts the events committed ({@code myelin_events_persisted_total}, timeline and outliers)
     * and times each batch the writer commits ({@code myelin_events_persist_batch_seconds}).
     */
    public void recordTo(MeterRegistry registry) {
        registry.gaugeCollectionSize("myelin.events.persist.queue", java.util.List.of(), queue);
        this.batches = Timer.builder("myelin.events.persist.batch")
                .description("Time to write and commit one batch of events to the timeline")
                .publishPercentileHistogram().register(registry);
        this.persisted = Counter.builder("myelin.events.persisted")
                .description("Events committed to the database").register(registry);
    }

    /** Queues {@code request}; the future completes once it is committed, or fails. */
    public CompletableFuture<PersistedEvent> persist(PersistRequest request) {
        CompletableFuture<PersistedEvent> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new StorageException("event persister is closed"));
            return result;
        }
        queue.add(new Pending(request, result));
        return result;
    }

    /**
     * Writes many outliers (events without a place in the timeline or the graph's state, like the
     * state and auth chain of a room joined through another server) in one transaction of a few
     * multi-row statements, on the calling thread: they take no stream position, so they need
     * neither the writer's queue nor its lock. The commit listener is not called, since outliers are
     * nothing a reader of the timeline sees. One result per request, in order.
     */
    public List<PersistedEvent> persistOutliers(List<PersistRequest> requests) {
        for (PersistRequest r : requests) {
            if (r.placement() != PersistRequest.Placement.OUTLIER) {
                throw new IllegalArgumentException("not an outlier: " + r.pdu().eventId());
            }
        }
        if (requests.isEmpty()) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<PersistedEvent> done = OutlierWrites.write(c, requests);
                c.commit();
                persisted.increment(done.size());
                return done;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                long started = System.nanoTime();
                writeBatch(batch);
                batches.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                LOG.error("event persister failed", e);
                batch.forEach(p -> p.result.completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            left.result.completeExceptionally(new StorageException("event persister is closed"));
        }
    }

    private void writeBatch(List<Pending> batch) {
        try {
            List<PersistedEvent> done = writeOnce(batch.stream().map(Pending::request).toList());
            complete(batch, done);
        } catch (SQLException | RuntimeException batchFailure) {
            if (batch.size() == 1) {
                batch.getFirst().result.completeExceptionally(failure(batchFailure));
                return;
            }
            // One bad request must not cost the others: write each alone.
            LOG.warn("batch of {} events failed ({}); writing them one by one", batch.size(), batchFailure.getMessage());
            for (Pending p : batch) {
                try {
                    complete(List.of(p), writeOnce(List.of(p.request)));
                } catch (SQLException | RuntimeException e) {
                    p.result.completeExceptionally(failure(e));
                }
            }
        }
    }

    private void complete(List<Pending> batch, List<PersistedEvent> done) {
        persisted.increment(done.size());
        try {
            onCommit.accept(done);
        } catch (RuntimeException e) {
            LOG.error("commit listener failed", e);
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result.complete(done.get(i));
        }
    }

    /**
     * Writes the requests in one transaction, again once when another transaction stored some of
     * their events meanwhile (two local users joining one remote room at once store its state
     * twice): the second look-up finds those events, as if they had come a moment earlier.
     */
    private List<PersistedEvent> writeOnce(List<PersistRequest> requests) throws SQLException {
        try {
            return writeInOneTransaction(requests);
        } catch (EventWrites.StoredMeanwhile raced) {
            return writeInOneTransaction(requests);
        }
    }

    private List<PersistedEvent> writeInOneTransaction(List<PersistRequest> requests) throws SQLException {
        List<StateSnapshot> written = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                StreamPositions positions = StreamPositions.lock(c);
                List<PersistedEvent> done = writes.write(c, requests, positions, written);
                c.commit();
                return done;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                StateSnapshotRepository.forget(written);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static RuntimeException failure(Exception e) {
        return e instanceof RuntimeException r ? r : new StorageException((SQLException) e);
    }

    @Override
    public void close() {
        closed = true;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
