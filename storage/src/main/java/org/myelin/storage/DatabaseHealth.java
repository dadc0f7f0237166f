package org.myelin.storage;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches that PostgreSQL answers: asks it at every interval ({@link Database#problem}) and keeps
 * the last answer, which {@code GET /health} reports. Losing the database is logged at ERROR
 * once, and finding it again at INFO. A lost embedded PostgreSQL is started again on its data
 * and port ({@link Database#restartEmbeddedIfStopped}), and the pool reconnects to it; an
 * external one is waited for, as starting it is its operator's (or supervisor's) job.
 */
public final class DatabaseHealth implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseHealth.class);
    /** How long one question may take before PostgreSQL counts as not answering. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    private final Database database;
    private final Duration interval;
    private final ScheduledExecutorService timer;
    private volatile boolean healthy = true;

    private DatabaseHealth(Database database, Duration interval) {
        this.database = database;
        this.interval = interval;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "myelin-database-health");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts asking {@code database} every {@code interval}; {@link #close} stops. */
    public static DatabaseHealth watch(Database database, Duration interval) {
        DatabaseHealth health = new DatabaseHealth(database, interval);
        health.timer.scheduleWithFixedDelay(health::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return health;
    }

    /** Whether PostgreSQL answered the last question (true until the first is asked: it just answered the migrations). */
    public boolean healthy() {
        return healthy;
    }

    private void check() {
        try {
            Optional<String> problem = database.problem(PROBE_TIMEOUT);
            if (problem.isEmpty()) {
                if (!healthy) {
                    LOG.info("The database answers again ({})", database);
                }
                healthy = true;
                return;
            }
            if (healthy) {
                LOG.error("The database does not answer ({}: {}); GET /health fails, and so does every request that "
                        + "needs it, until it does", database, problem.get());
            }
            healthy = false;
            restartIfEmbedded();
        } catch (RuntimeException e) {
            LOG.error("Checking the database failed", e); // and the next check runs all the same
        }
    }

    private void restartIfEmbedded() {
        try {
            if (database.restartEmbeddedIfStopped()) {
                LOG.error("The embedded PostgreSQL had stopped; it was started again ({})", database);
            }
        } catch (RuntimeException e) {
            LOG.error("The embedded PostgreSQL had stopped and could not be started again; trying again in {} ms: {}",
                    interval.toMillis(), e.getMessage());
        }
    }

    /** Stops watching; before the database closes, or its stop would look like a loss. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(PROBE_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
