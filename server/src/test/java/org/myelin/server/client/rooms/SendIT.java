package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.rooms.Rooms.enc;
import static org.myelin.server.client.rooms.Rooms.obj;
import static org.myelin.server.client.rooms.Rooms.room;

/** {@code PUT /send} and {@code PUT /redact}: transaction ids, errors, redactions as clients see them. */
class SendIT {

    static TestHomeserver hs;
    static Rooms rooms;
    static TestUser alice;
    static TestUser bob;
    static TestUser eve;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        rooms = new Rooms(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        eve = hs.registerUser("eve");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    static String sendWithTxn(TestUser user, String roomId, String txnId, String body) {
        return rooms.ok(user, "PUT", room(roomId) + "/send/m.room.message/" + txnId,
                obj().put("msgtype", "m.text").put("body", body)).path("event_id").asText();
    }

    @Test
    void sameTransactionIdGivesSameEventPerDevice() {
        String roomId = rooms.create(alice, "{}");
        String first = sendWithTxn(alice, roomId, "txn-1", "hello");
        assertEquals(first, sendWithTxn(alice, roomId, "txn-1", "hello"));
        assertEquals(first, sendWithTxn(alice, roomId, "txn-1", "changed body, same transaction"));
        assertNotEquals(first, sendWithTxn(alice, roomId, "txn-2", "hello"));
        TestUser aliceOnPhone = hs.login(alice);
        assertNotEquals(first, sendWithTxn(aliceOnPhone, roomId, "txn-1", "hello"), "transaction ids are per device");

        JsonNode seenBySender = rooms.event(alice, roomId, first);
        assertEquals("txn-1", seenBySender.path("unsigned").path("transaction_id").asText());
        assertFalse(rooms.event(aliceOnPhone, roomId, first).path("unsigned").has("transaction_id"));
        assertEquals("hello", seenBySender.path("content").path("body").asText());
        assertEquals("m.room.message", seenBySender.path("type").asText());
    }

    @Test
    void concurrentRetriesOfOneTransactionMakeOneEvent() throws Exception {
        String roomId = rooms.create(alice, "{}");
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                results.add(clients.submit(() -> sendWithTxn(alice, roomId, "burst", "once only")));
            }
        }
        Set<String> ids = new HashSet<>();
        for (Future<String> r : results) {
            ids.add(r.get());
        }
        assertEquals(1, ids.size(), ids.toString());
        JsonNode page = rooms.ok(alice, "GET", room(roomId) + "/messages?dir=b&limit=50", null);
        int copies = 0;
        for (JsonNode e : page.path("chunk")) {
            copies += "once only".equals(e.path("content").path("body").asText()) ? 1 : 0;
        }
        assertEquals(1, copies);
    }

    @Test
    void sendingIsRateLimitedPerUserButRetriesAreFree() {
        try (TestHomeserver limited = TestHomeserver.builder().configure(c -> c.withRateLimits(
                new HomeserverConfig.RateLimits(null, null, null, new HomeserverConfig.RateLimit(0.001, 2)))).start()) {
            Rooms client = new Rooms(limited);
            TestUser dan = limited.registerUser("dan");
            String roomId = client.create(dan, "{}");
            String first = client.ok(dan, "PUT", room(roomId) + "/send/m.room.message/a", obj()).path("event_id").asText();
            client.ok(dan, "PUT", room(roomId) + "/send/m.room.message/b", obj());
            JsonNode refused = client.fails(429, "M_LIMIT_EXCEEDED", dan, "PUT", room(roomId) + "/send/m.room.message/c", obj());
            assertTrue(refused.path("retry_after_ms").asLong() > 0);
            assertEquals(first, client.ok(dan, "PUT", room(roomId) + "/send/m.room.message/a", obj())
                    .path("event_id").asText(), "a retried transaction costs nothing");
        }
    }

    @Test
    void transactionIdsSurviveARestart() {
        TestHomeserver first = TestHomeserver.start();
        TestUser carol = first.registerUser("carol");
        Rooms before = new Rooms(first);
        String roomId = before.create(carol, "{}");
        String eventId = before.ok(carol, "PUT", room(roomId) + "/send/m.room.message/durable",
                obj().put("body", "once")).path("event_id").asText();
        HomeserverConfig config = first.homeserver().config();
        first.homeserver().close();
        try (TestHomeserver second = TestHomeserver.builder().configure(c -> config).start()) {
            Rooms after = new Rooms(second);
            assertEquals(eventId, after.ok(carol, "PUT", room(roomId) + "/send/m.room.message/durable",
                    obj().put("body", "once")).path("event_id").asText());
            JsonNode page = after.ok(carol, "GET", room(roomId) + "/messages?dir=b&limit=3", null);
            assertEquals(eventId, page.path("chunk").path(0).path("event_id").asText());
            assertNotEquals(eventId, page.path("chunk").path(1).path("event_id").asText());
        } finally {
            first.close();
        }
    }

    @Test
    void sendingNeedsMembershipAKnownRoomAndAnObject() {
        String roomId = rooms.create(alice, "{}");
        rooms.fails(403, "M_FORBIDDEN", eve, "PUT", room(roomId) + "/send/m.room.message/e1", obj().put("body", "x"));
        rooms.fails(404, "M_NOT_FOUND", alice, "PUT", room("!missing:" + hs.serverName()) + "/send/m.room.message/e2",
                obj().put("body", "x"));
        rooms.fails(400, "M_NOT_JSON", alice, "PUT", room(roomId) + "/send/m.room.message/e3", "body");
        rooms.fails(400, "M_BAD_JSON", alice, "PUT", room(roomId) + "/send/m.room.message/e4", "\"string\"");
        rooms.fails(413, "M_TOO_LARGE", alice, "PUT", room(roomId) + "/send/m.room.message/e5",
                obj().put("body", "y".repeat(66_000)));
        assertEquals(401, hs.request("PUT", room(roomId) + "/send/m.room.message/e6", "{}").statusCode());
    }

    @Test
    void redactedEventIsServedRedactedWithTheRedaction() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        String message = rooms.send(bob, roomId, "regrettable");
        String redaction = rooms.ok(bob, "PUT", room(roomId) + "/redact/" + enc(message) + "/r1",
                obj().put("reason", "typo")).path("event_id").asText();
        assertEquals(redaction, rooms.ok(bob, "PUT", room(roomId) + "/redact/" + enc(message) + "/r1",
                obj().put("reason", "typo")).path("event_id").asText(), "redactions are idempotent too");

        JsonNode seen = rooms.event(alice, roomId, message);
        assertTrue(seen.path("content").isEmpty(), seen.toString());
        JsonNode because = seen.path("unsigned").path("redacted_because");
        assertEquals(redaction, because.path("event_id").asText());
        assertEquals("typo", because.path("content").path("reason").asText());
        assertEquals(message, because.path("redacts").asText());
        assertEquals(message, because.path("content").path("redacts").asText(), "v11+ keeps redacts in content");

        JsonNode redactionEvent = rooms.event(alice, roomId, redaction);
        assertEquals("m.room.redaction", redactionEvent.path("type").asText());
    }

    /** The deprecated forms without a transaction id (r0 and v3), which Synapse still serves. */
    @Test
    void sendingAndRedactingWithoutATransactionIdStillWork() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        JsonNode content = obj().put("msgtype", "m.text").put("body", "posted");
        String first = rooms.ok(alice, "POST", room(roomId) + "/send/m.room.message", content).path("event_id").asText();
        String second = rooms.ok(alice, "POST", "/_matrix/client/r0/rooms/" + enc(roomId) + "/send/m.room.message",
                content).path("event_id").asText();
        assertNotEquals(first, second, "without a transaction id each request is a new event");
        assertEquals("posted", rooms.event(alice, roomId, first).path("content").path("body").asText());
        JsonNode sent = rooms.event(alice, roomId, first);
        assertFalse(sent.path("unsigned").has("transaction_id"), sent::toString);

        String redaction = rooms.ok(alice, "POST", room(roomId) + "/redact/" + enc(first), obj().put("reason", "old"))
                .path("event_id").asText();
        JsonNode redacted = rooms.event(alice, roomId, first);
        assertTrue(redacted.path("content").isEmpty(), redacted::toString);
        assertEquals(redaction, redacted.path("unsigned").path("redacted_because").path("event_id").asText());
        rooms.ok(alice, "POST", room(roomId) + "/redact/" + enc(second), null);
        assertTrue(rooms.event(alice, roomId, second).path("content").isEmpty(), "no body is fine");
    }

    @Test
    void redactingOthersNeedsPowerAndMembersKeepOwnEvents() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        rooms.join(eve, roomId);
        String bobs = rooms.send(bob, roomId, "mine");
        rooms.fails(403, "M_FORBIDDEN", eve, "PUT", room(roomId) + "/redact/" + enc(bobs) + "/x", obj());
        assertEquals("mine", rooms.event(alice, roomId, bobs).path("content").path("body").asText());
        rooms.ok(alice, "PUT", room(roomId) + "/redact/" + enc(bobs) + "/x", obj());
        assertFalse(rooms.event(alice, roomId, bobs).path("content").has("body"));

        String stateEvent = rooms.state(alice, roomId, "m.room.topic", "", obj().put("topic", "keep the key"));
        rooms.ok(alice, "PUT", room(roomId) + "/redact/" + enc(stateEvent) + "/y", obj());
        JsonNode redactedState = rooms.event(alice, roomId, stateEvent);
        assertEquals("", redactedState.path("state_key").asText());
        assertTrue(redactedState.path("content").isEmpty());
        assertFalse(redactedState.path("unsigned").has("prev_content"));
    }

    @Test
    void unknownOrInvisibleEventsAreNotFound() {
        String roomId = rooms.create(alice, "{}");
        String message = rooms.send(alice, roomId, "private");
        rooms.fails(404, "M_NOT_FOUND", alice, "GET", room(roomId) + "/event/" + enc("$nothing"), null);
        rooms.fails(404, "M_NOT_FOUND", eve, "GET", room(roomId) + "/event/" + enc(message), null);
        String other = rooms.create(alice, "{}");
        rooms.fails(404, "M_NOT_FOUND", alice, "GET", room(other) + "/event/" + enc(message), null);
    }
}
