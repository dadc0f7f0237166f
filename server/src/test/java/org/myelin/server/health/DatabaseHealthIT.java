package org.myelin.server.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;
import org.myelin.storage.DatabaseHealth;
import org.myelin.storage.EmbeddedPostgresServer;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /health} says whether the database answers, and losing it is reported: at ERROR in
 * the log, 503 from {@code /health} until it is back. A lost embedded PostgreSQL is started
 * again; an external one is waited for.
 */
class DatabaseHealthIT {

    /** Checks often, so that the tests wait little. */
    private static final long CHECK_INTERVAL_MS = 100;

    @TempDir
    Path dir;

    private final Logger healthLog = (Logger) LoggerFactory.getLogger(DatabaseHealth.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void listen() {
        logged.start();
        healthLog.addAppender(logged);
    }

    @AfterEach
    void stopListening() {
        healthLog.detachAppender(logged);
    }

    @Test
    void healthIsOkWhileTheDatabaseAnswers() {
        try (TestHomeserver hs = TestHomeserver.start()) {
            HttpResponse<String> client = hs.get("/health");
            assertEquals(200, client.statusCode());
            assertEquals("OK", client.body());
            assertTrue(client.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            HttpResponse<String> federation = hs.send(HttpRequest.newBuilder(hs.federationUri("/health")).GET());
            assertEquals(200, federation.statusCode(), "on every listener");
        }
    }

    @Test
    void aLostExternalDatabaseFailsHealthUntilItIsBack() throws Exception {
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), dir.resolve("pg.log"),
                EmbeddedPostgresServer.Mode.DURABLE);
        try (Connection c = pg.adminDataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE myelin");
        }
        try (TestHomeserver hs = TestHomeserver.builder().configure(c -> c.withDatabase(new HomeserverConfig.Database(
                pg.jdbcUrl("myelin"), EmbeddedPostgresServer.SUPERUSER, null, 4, CHECK_INTERVAL_MS))).start()) {
            assertEquals(200, hs.get("/health").statusCode());

            killPostmaster(pg.directory());
            await(() -> hs.get("/health").statusCode() == 503, "/health fails");
            HttpResponse<String> failing = hs.get("/health");
            assertEquals("M_UNKNOWN", TestHomeserver.json(failing).path("errcode").asText(), failing.body());
            assertTrue(errors().stream().anyMatch(m -> m.startsWith("The database does not answer")), errors()::toString);
            assertEquals(503, hs.get("/health").statusCode(), "an external database is not ours to start");

            pg.restart(); // its operator brings it back
            await(() -> hs.get("/health").statusCode() == 200, "/health is OK again");
            hs.registerUser("after");
        } finally {
            pg.close();
        }
    }

    @Test
    void aLostEmbeddedDatabaseIsStartedAgain() throws Exception {
        try (TestHomeserver hs = TestHomeserver.builder().configure(c -> c.withDatabase(
                new HomeserverConfig.Database(null, null, null, 4, CHECK_INTERVAL_MS))).start()) {
            TestUser before = hs.registerUser("before");
            Path cluster = hs.dataDir().resolve("postgres");
            long killed = killPostmaster(cluster);

            await(() -> errors().stream().anyMatch(m -> m.startsWith("The embedded PostgreSQL had stopped; it was started again")),
                    "the restart is reported");
            assertTrue(errors().stream().anyMatch(m -> m.startsWith("The database does not answer")), errors()::toString);
            await(() -> hs.get("/health").statusCode() == 200, "/health is OK again");
            assertNotEquals(killed, postmasterPid(cluster));

            hs.login(before); // what was committed before is there
            hs.registerUser("after");
        }
    }

    private List<String> errors() {
        return List.copyOf(logged.list).stream().filter(e -> e.getLevel() == Level.ERROR)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Kills PostgreSQL as a crash or the OOM killer would; returns the pid it had. */
    private static long killPostmaster(Path cluster) throws Exception {
        long pid = postmasterPid(cluster);
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        postmaster.destroyForcibly();
        postmaster.onExit().get(30, TimeUnit.SECONDS);
        return pid;
    }

    private static long postmasterPid(Path cluster) throws IOException {
        return Long.parseLong(Files.readAllLines(cluster.resolve("postmaster.pid")).getFirst().trim());
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never happened: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
