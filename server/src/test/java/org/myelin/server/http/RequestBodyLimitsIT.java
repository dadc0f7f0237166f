package org.myelin.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.RawHttpConnection;
import org.myelin.server.testing.TestHomeserver;

/**
 * Request bodies cannot exhaust the server's memory: each route reads at most what its content
 * needs (413 M_TOO_LARGE as soon as the Content-Length or the bytes received say more), only a
 * few bodies are read at once, and a sender that does not finish in time is cut off with 408;
 * meanwhile requests without a body are served as usual.
 */
class RequestBodyLimitsIT {

    private static final int SLOTS = 2;
    private static final long READ_TIMEOUT_MS = 6_000;
    /** Longer than any answer should take: a server that does not answer fails the test. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String SEND = "/_matrix/client/v3/rooms/!room:example.org/send/m.room.message/";

    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder()
                .configure(c -> c.withRequestBodies(new HomeserverConfig.RequestBodies(SLOTS,
                        HomeserverConfig.RequestBodies.DEFAULT.maxBufferedBytes(), READ_TIMEOUT_MS)))
                .start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static void assertTooLarge(RawHttpConnection.Response response) {
        assertEquals(413, response.status(), response.body());
        assertEquals("M_TOO_LARGE", json(response).path("errcode").asText(), response.body());
    }

    private static JsonNode json(RawHttpConnection.Response response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    @Test
    void anEventBodyPastItsLimitIsRefusedBeforeItIsSent() {
        // 1 MiB announced, 1 KiB sent: the answer must come without the rest.
        try (RawHttpConnection c = RawHttpConnection.open(hs.clientPort(), PATIENCE)) {
            c.head("PUT", SEND + "big1", Map.of("Content-Type", "application/json", "Content-Length", "1048576"))
                    .write("{\"msgtype\":\"m.text\",\"body\":\"" + "x".repeat(1024));
            assertTooLarge(c.read());
        }
    }

    @Test
    void aChunkedBodyIsRefusedOnceItPassesTheLimit() {
        try (RawHttpConnection c = RawHttpConnection.open(hs.clientPort(), PATIENCE)) {
            c.head("PUT", SEND + "big2", Map.of("Content-Type", "application/json", "Transfer-Encoding", "chunked"));
            c.chunk("{\"msgtype\":\"m.text\",\"body\":\"".getBytes());
            for (int i = 0; i < 10; i++) {
                c.chunk("y".repeat(16 * 1024).getBytes()); // 160 KiB, never finished
            }
            assertTooLarge(c.read());
        }
    }

    @Test
    void aFederationTransactionMayBeLargerThanOtherBodies() {
        String body = "{\"origin\":\"remote.example.org\",\"origin_server_ts\":1,\"pdus\":[],\"edus\":[],\"padding\":\""
                + "z".repeat(1024 * 1024) + "\"}";
        // The same megabyte: too large for a client request, read in full for a transaction
        // (and then refused for its missing X-Matrix signature, not for its size).
        try (RawHttpConnection c = RawHttpConnection.open(hs.clientPort(), PATIENCE)) {
            c.head("PUT", SEND + "big3", Map.of("Content-Type", "application/json",
                    "Content-Length", Integer.toString(body.length())));
            assertTooLarge(c.read());
        }
        try (RawHttpConnection c = RawHttpConnection.openTls(hs.federationPort(), hs.tls().context(), PATIENCE)) {
            c.head("PUT", "/_matrix/federation/v1/send/txn1", Map.of("Content-Type", "application/json",
                    "Content-Length", Integer.toString(body.length()))).write(body);
            RawHttpConnection.Response r = c.read();
            assertEquals(401, r.status(), r.body());
        }
        try (RawHttpConnection c = RawHttpConnection.openTls(hs.federationPort(), hs.tls().context(), PATIENCE)) {
            c.head("PUT", "/_matrix/federation/v1/send/txn2", Map.of("Content-Type", "application/json",
                    "Content-Length", Long.toString(BodyLimit.TRANSACTION.maxBytes() + 1)));
            assertTooLarge(c.read());
        }
    }

    @Test
    void slowSendersHoldOnlyTheirPlacesAndAreCutOffWhileTheServerAnswersOthers() {
        RequestBodies bodies = hs.homeserver().requestBodies();
        List<RawHttpConnection> slow = new ArrayList<>();
        try {
            // Twice as many slow bodies as may be read at once: each announces 100 bytes and sends
            // none (bytes left unread when a connection is closed would turn its FIN into a reset).
            for (int i = 0; i < 2 * SLOTS; i++) {
                slow.add(RawHttpConnection.open(hs.clientPort(), PATIENCE)
                        .head("PUT", SEND + "slow" + i, Map.of("Content-Type", "application/json", "Content-Length", "100")));
            }
            await(() -> bodies.reading() == SLOTS && bodies.waiting() == SLOTS, "two bodies read, two waiting");

            // Requests without a body do not wait for a place.
            assertEquals(200, hs.get("/_matrix/client/versions").statusCode());

            for (RawHttpConnection c : slow) {
                RawHttpConnection.Response r = c.read();
                assertEquals(408, r.status(), r.body());
                assertEquals("M_UNKNOWN", json(r).path("errcode").asText(), r.body());
                assertTrue(c.closedByServer(), "a slow sender's connection is closed");
            }
            await(() -> bodies.reading() == 0 && bodies.waiting() == 0, "every place given back");
            assertEquals(200, hs.get("/_matrix/client/versions").statusCode());
        } finally {
            slow.forEach(RawHttpConnection::close);
        }
    }

    @Test
    void aBodyWithinItsLimitIsReadAfterItsPlaceIsFree() {
        RequestBodies bodies = hs.homeserver().requestBodies();
        List<RawHttpConnection> slow = new ArrayList<>();
        try {
            for (int i = 0; i < SLOTS; i++) {
                slow.add(RawHttpConnection.open(hs.clientPort(), PATIENCE)
                        .head("PUT", SEND + "hold" + i, Map.of("Content-Type", "application/json", "Content-Length", "100")));
            }
            await(() -> bodies.reading() == SLOTS, "every place taken");
            try (RawHttpConnection c = RawHttpConnection.open(hs.clientPort(), PATIENCE)) {
                String body = "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"nobody\"},"
                        + "\"password\":\"wrong\"}";
                c.head("POST", "/_matrix/client/v3/login", Map.of("Content-Type", "application/json",
                        "Content-Length", Integer.toString(body.length()))).write(body);
                await(() -> bodies.waiting() == 1, "the complete body waits for a place too");
                // Once the slow senders are cut off, it is read and handled.
                RawHttpConnection.Response r = c.read();
                assertEquals(403, r.status(), r.body());
            }
        } finally {
            slow.forEach(RawHttpConnection::close);
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never happened: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
