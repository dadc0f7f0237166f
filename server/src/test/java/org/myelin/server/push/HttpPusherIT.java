package org.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * HTTP pushers against a push gateway on loopback (the test servers allow 127.0.0.0/8 in
 * {@code federation.outbound_ip_allowlist}): what the gateway receives, rejected pushkeys,
 * retries, restarts, and the address guard.
 */
class HttpPusherIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final AtomicLong N = new AtomicLong();

    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static TestUser user(TestHomeserver on, String name, String displayName) {
        TestUser u = on.registerUser(name + N.incrementAndGet());
        on.expect(200, u, "PUT", V3 + "/profile/" + enc(u.userId()) + "/displayname",
                Json.MAPPER.createObjectNode().put("displayname", displayName).toString());
        return u;
    }

    private static String room(TestHomeserver on, TestUser creator, ObjectNode body, TestUser... joiners) {
        String roomId = on.expect(200, creator, "POST", V3 + "/createRoom", body.toString()).path("room_id").asText();
        for (TestUser u : joiners) {
            if (!body.has("invite")) {
                on.expect(200, creator, "POST", V3 + "/rooms/" + enc(roomId) + "/invite",
                        Json.MAPPER.createObjectNode().put("user_id", u.userId()).toString());
            }
            on.expect(200, u, "POST", V3 + "/rooms/" + enc(roomId) + "/join", "{}");
        }
        return roomId;
    }

    private static String send(TestHomeserver on, TestUser sender, String roomId, ObjectNode content) {
        return on.expect(200, sender, "PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/t"
                + N.incrementAndGet(), content.toString()).path("event_id").asText();
    }

    private static ObjectNode text(String body) {
        return Json.MAPPER.createObjectNode().put("msgtype", "m.text").put("body", body);
    }

    private static ObjectNode setPusher(TestHomeserver on, TestUser u, String pushkey, String url, ObjectNode extraData) {
        ObjectNode p = Json.MAPPER.createObjectNode().put("kind", "http").put("app_id", "org.example.app")
                .put("app_display_name", "Example").put("device_display_name", "Phone").put("pushkey", pushkey)
                .put("lang", "en");
        ObjectNode data = p.putObject("data").put("url", url);
        data.setAll(extraData);
        on.expect(200, u, "POST", V3 + "/pushers/set", p.toString());
        return p;
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static JsonNode only(List<JsonNode> notifications) {
        assertEquals(1, notifications.size(), notifications::toString);
        return notifications.getFirst();
    }

    /** The device entry after checking its pushkey_ts (seconds, set between the bounds), without it. */
    private static ObjectNode withoutPushkeyTs(JsonNode notification, long fromMs, long toMs) {
        ObjectNode copy = notification.deepCopy();
        ObjectNode device = (ObjectNode) copy.path("devices").path(0);
        long ts = device.path("pushkey_ts").asLong(-1);
        assertTrue(ts >= fromMs / 1000 && ts <= toMs / 1000, "pushkey_ts in seconds: " + ts);
        device.remove("pushkey_ts");
        return copy;
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Long failingSince(TestHomeserver on, String pushkey) {
        try (Connection c = on.homeserver().database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT failing_since_ts FROM pushers WHERE pushkey = ?")) {
            ps.setString(1, pushkey);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long ts = rs.getLong(1);
                return rs.wasNull() ? null : ts;
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aMessageInADirectChatReachesTheGatewayInFull() {
        try (TestPushGateway gateway = TestPushGateway.start()) {
            TestUser alice = user(hs, "alice", "Alice");
            TestUser bob = user(hs, "bob", "Bob");
            ObjectNode dm = Json.MAPPER.createObjectNode().put("preset", "trusted_private_chat").put("is_direct", true);
            dm.putArray("invite").add(bob.userId());
            String roomId = room(hs, alice, dm, bob);
            long before = System.currentTimeMillis();
            setPusher(hs, bob, "bob-phone", gateway.url(), Json.MAPPER.createObjectNode().put("custom", "kept"));
            long after = System.currentTimeMillis();

            String eventId = send(hs, alice, roomId, text("hello there"));
            await("the notification", () -> !gateway.delivered().isEmpty());

            JsonNode received = only(gateway.delivered());
            assertEquals(json("""
                    {"event_id": "%s", "room_id": "%s", "type": "m.room.message", "sender": "%s", "prio": "high",
                     "counts": {"unread": 1}, "content": {"msgtype": "m.text", "body": "hello there"},
                     "sender_display_name": "Alice",
                     "devices": [{"app_id": "org.example.app", "pushkey": "bob-phone", "data": {"custom": "kept"},
                                  "tweaks": {"sound": "default"}}]}
                    """.formatted(eventId, roomId, alice.userId())), withoutPushkeyTs(received, before, after));
        }
    }

    @Test
    void aMentionInAGroupRoomAndTheEventIdOnlyFormat() {
        try (TestPushGateway gateway = TestPushGateway.start()) {
            TestUser alice = user(hs, "alice", "Alice");
            TestUser bob = user(hs, "bob", "Bob");
            TestUser carol = user(hs, "carol", "Carol");
            String roomId = room(hs, alice, Json.MAPPER.createObjectNode().put("name", "Mission Control"), bob, carol);
            long before = System.currentTimeMillis();
            setPusher(hs, bob, "bob-phone", gateway.url(), Json.MAPPER.createObjectNode());
            setPusher(hs, carol, "carol-phone", gateway.url(),
                    Json.MAPPER.createObjectNode().put("format", "event_id_only"));
            long after = System.currentTimeMillis();

            ObjectNode mention = text("Bob: the hatch");
            mention.putObject("m.mentions").putArray("user_ids").add(bob.userId());
            String eventId = send(hs, alice, roomId, mention);
            await("both notifications", () -> gateway.delivered().size() >= 2);

            JsonNode toBob = gateway.delivered().stream()
                    .filter(n -> n.at("/devices/0/pushkey").asText().equals("bob-phone")).findFirst().orElseThrow();
            ObjectNode content = mention.deepCopy();
            assertEquals(json("""
                    {"event_id": "%s", "room_id": "%s", "type": "m.room.message", "sender": "%s", "prio": "high",
                     "counts": {"unread": 1}, "content": %s, "sender_display_name": "Alice",
                     "room_name": "Mission Control",
                     "devices": [{"app_id": "org.example.app", "pushkey": "bob-phone", "data": {},
                                  "tweaks": {"sound": "default", "highlight": true}}]}
                    """.formatted(eventId, roomId, alice.userId(), content)), withoutPushkeyTs(toBob, before, after));

            JsonNode toCarol = gateway.delivered().stream()
                    .filter(n -> n.at("/devices/0/pushkey").asText().equals("carol-phone")).findFirst().orElseThrow();
            assertEquals(json("""
                    {"event_id": "%s", "room_id": "%s", "prio": "low", "counts": {"unread": 1},
                     "devices": [{"app_id": "org.example.app", "pushkey": "carol-phone",
                                  "data": {"format": "event_id_only"}}]}
                    """.formatted(eventId, roomId)), withoutPushkeyTs(toCarol, before, after));
            assertEquals(2, gateway.received().size(), "alice, the sender, is not pushed to (and has no pusher)");
        }
    }

    @Test
    void aRoomWithoutANameIsNamedAfterItsOtherMembers() {
        try (TestPushGateway gateway = TestPushGateway.start()) {
            TestUser alice = user(hs, "alice", "Alice");
            TestUser bob = user(hs, "bob", "Bob");
            TestUser carol = user(hs, "carol", "Carol");
            TestUser dave = user(hs, "dave", "Dave");
            String roomId = room(hs, alice, Json.MAPPER.createObjectNode(), bob, carol, dave);
            setPusher(hs, dave, "dave-phone", gateway.url(), Json.MAPPER.createObjectNode());
            setPusher(hs, carol, "carol-phone", gateway.url(), Json.MAPPER.createObjectNode());
            hs.expect(200, carol, "POST", V3 + "/rooms/" + enc(roomId) + "/leave", "{}");

            send(hs, alice, roomId, text("who is here?"));
            await("the notification", () -> !gateway.delivered().isEmpty());
            JsonNode toDave = only(gateway.delivered());
            assertEquals("dave-phone", toDave.at("/devices/0/pushkey").asText(), "carol left: no push to her");
            assertEquals("Alice and Bob", toDave.path("room_name").asText(),
                    "the other joined members, in the order they joined");
        }
    }

    @Test
    void aRejectedPushkeyDeletesThePusher() {
        try (TestPushGateway gateway = TestPushGateway.start()) {
            TestUser alice = user(hs, "alice", "Alice");
            TestUser bob = user(hs, "bob", "Bob");
            String roomId = room(hs, alice, Json.MAPPER.createObjectNode(), bob);
            setPusher(hs, bob, "expired-key", gateway.url(), Json.MAPPER.createObjectNode());
            gateway.answer(200, "{\"rejected\": [\"expired-key\"]}");

            send(hs, alice, roomId, text("anyone?"));
            await("the pusher's removal", () -> hs.expect(200, bob, "GET", V3 + "/pushers", null)
                    .path("pushers").isEmpty());
            String later = send(hs, alice, roomId, text("still there?"));
            // Once /notifications lists it, its push actions are recorded and pushers were woken.
            assertEquals(later, hs.expect(200, bob, "GET", V3 + "/notifications", null)
                    .at("/notifications/0/event/event_id").asText());
            assertEquals(1, gateway.received().size(), "nothing more is pushed: " + gateway.received());
        }
    }

    @Test
    void aFailingGatewayIsRetriedUntilItAcceptsTheNotification() {
        try (TestPushGateway gateway = TestPushGateway.start()) {
            TestUser alice = user(hs, "alice", "Alice");
            TestUser bob = user(hs, "bob", "Bob");
            String roomId = room(hs, alice, Json.MAPPER.createObjectNode(), bob);
            setPusher(hs, bob, "bob-retry", gateway.url(), Json.MAPPER.createObjectNode());
            gateway.answer(503, "{\"error\": \"busy\"}");

            String eventId = send(hs, alice, roomId, text("first"));
            await("a failed attempt", () -> !gateway.received().isEmpty());
            gateway.answer(200, "{\"rejected\": []}");
            await("the retry", () -> !gateway.delivered().isEmpty());

            assertEquals(eventId, only(gateway.delivered()).path("event_id").asText());
            assertTrue(gateway.received().stream().allMatch(r -> r.notification().path("event_id").asText()
                    .equals(eventId)), "the same notification, again: " + gateway.received());
            String next = send(hs, alice, roomId, text("second"));
            await("the next notification", () -> gateway.delivered().size() == 2);
            assertEquals(next, gateway.delivered().get(1).path("event_id").asText());
        }
    }

    @Test
    void aGatewayThatIsDownGetsTheNotificationOnceItIsUp() {
        try (TestPushGateway gateway = TestPushGateway.start()) {
            TestUser alice = user(hs, "alice", "Alice");
            TestUser bob = user(hs, "bob", "Bob");
            String roomId = room(hs, alice, Json.MAPPER.createObjectNode(), bob);
            setPusher(hs, bob, "bob-down", gateway.url(), Json.MAPPER.createObjectNode());
            gateway.down();

            String eventId = send(hs, alice, roomId, text("are you up?"));
            await("the pusher failing", () -> failingSince(hs, "bob-down") != null);
            gateway.up();
            await("the notification", () -> !gateway.delivered().isEmpty());
            assertEquals(eventId, only(gateway.delivered()).path("event_id").asText());
            await("the pusher no longer failing", () -> failingSince(hs, "bob-down") == null);
        }
    }

    @Test
    void aRestartSendsWhatTheGatewayDidNotAcknowledge() {
        try (TestPushGateway gateway = TestPushGateway.start()) {
            TestUser alice = user(hs, "alice", "Alice");
            TestUser bob = user(hs, "bob", "Bob");
            String roomId = room(hs, alice, Json.MAPPER.createObjectNode(), bob);
            setPusher(hs, bob, "bob-restart", gateway.url(), Json.MAPPER.createObjectNode());
            gateway.answer(500, "{}");

            String eventId = send(hs, alice, roomId, text("across a restart"));
            await("a failed attempt", () -> !gateway.received().isEmpty());
            hs.restart();
            gateway.answer(200, "{\"rejected\": []}");
            await("the notification", () -> !gateway.delivered().isEmpty());
            assertEquals(eventId, only(gateway.delivered()).path("event_id").asText());
        }
    }

    @Test
    void aGatewayOnAPrivateAddressIsRefusedWithoutTheAllowlist() {
        TestHomeserver guarded = TestHomeserver.builder().configure(c -> {
            HomeserverConfig.Federation f = c.federation();
            return c.withFederation(new HomeserverConfig.Federation(f.tlsSelfSignedDev(), f.trustedCaPaths(),
                    f.allowInsecureSelfSigned(), List.of(), f.notaryServers(), f.keyValidityMs(),
                    f.backoffInitialMs(), f.backoffMaxMs(), f.requestTimeoutMs()));
        }).start();
        try (guarded; TestPushGateway gateway = TestPushGateway.start()) {
            TestUser alice = user(guarded, "alice", "Alice");
            TestUser bob = user(guarded, "bob", "Bob");
            String roomId = room(guarded, alice, Json.MAPPER.createObjectNode(), bob);
            setPusher(guarded, bob, "bob-guarded", gateway.url(), Json.MAPPER.createObjectNode());

            send(guarded, alice, roomId, text("to loopback?"));
            await("the pusher failing", () -> failingSince(guarded, "bob-guarded") != null);
            assertEquals(List.of(), gateway.received(), "no request reached the gateway on 127.0.0.1");
        }
    }
}
