package org.myelin.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;
import org.slf4j.LoggerFactory;

/**
 * The access log ({@code org.myelin.access}, as Synapse's {@code synapse.access}): one line per
 * request with the client address, the user, the method and path, the status and how long it
 * took; an access token in the query is masked.
 */
class AccessLogIT {

    private static final Logger ACCESS = (Logger) LoggerFactory.getLogger("org.myelin.access");
    private static final ListAppender<ILoggingEvent> LINES = new ListAppender<>();
    private static Level levelBefore;
    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        levelBefore = ACCESS.getLevel();
        ACCESS.setLevel(Level.INFO);
        LINES.start();
        ACCESS.addAppender(LINES);
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
        ACCESS.detachAppender(LINES);
        ACCESS.setLevel(levelBefore);
    }

    /** The one line about a request matching {@code which}; lines are written when the response ends. */
    private static String line(Predicate<String> which) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<String> found = List.copyOf(LINES.list).stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(which).toList();
            if (found.size() == 1) {
                return found.getFirst();
            }
            assertTrue(found.size() < 2, "one line per request: " + found);
            Thread.onSpinWait();
        }
        throw new AssertionError("no access log line; the lines: " + LINES.list);
    }

    @Test
    void aRequestIsLoggedWithItsUserAndItsTokenMasked() {
        TestUser alice = hs.registerUser("alice");
        String path = "/_matrix/client/v3/account/whoami?access_token=" + alice.accessToken() + "&probe=1";
        assertEquals(200, hs.get(path).statusCode());

        String line = line(l -> l.contains("probe=1"));
        assertFalse(line.contains(alice.accessToken()), line);
        assertTrue(line.contains("\"GET /_matrix/client/v3/account/whoami?access_token=<redacted>&probe=1\""), line);
        assertTrue(line.startsWith("127.0.0.1 " + alice.userId() + " "), line);
        assertTrue(line.matches(".*\" 200 \\d+B \\d+ms .*"), line);
    }

    @Test
    void aFailedRequestIsLoggedWithoutAUser() {
        assertEquals(404, hs.send(HttpRequest.newBuilder(hs.clientUri("/_matrix/client/v3/no/such/thing"))
                .header("User-Agent", "AccessLogIT/1").GET()).statusCode());
        String line = line(l -> l.contains("/no/such/thing"));
        assertTrue(line.startsWith("127.0.0.1 - \"GET /_matrix/client/v3/no/such/thing\" 404 "), line);
        assertTrue(line.endsWith(" \"AccessLogIT/1\""), line);
    }

    @Test
    void healthChecksAreNotLoggedAtInfo() {
        assertEquals(200, hs.get("/health").statusCode());
        assertEquals(404, hs.get("/_matrix/client/v3/after-health").statusCode());
        line(l -> l.contains("/after-health")); // written after the health check's would have been
        assertTrue(List.copyOf(LINES.list).stream().noneMatch(e -> e.getFormattedMessage().contains("\"GET /health\"")),
                LINES.list::toString);
    }

    @Test
    void aFederationRequestIsLoggedToo() {
        // Unauthenticated: no server named by X-Matrix, so no user.
        assertEquals(200, hs.send(HttpRequest.newBuilder(hs.federationUri("/_matrix/federation/v1/version"))
                .GET()).statusCode());
        String line = line(l -> l.contains("/_matrix/federation/v1/version"));
        assertTrue(line.startsWith("127.0.0.1 - \"GET /_matrix/federation/v1/version\" 200 "), line);
    }
}
