package org.myelin.server.client.todevice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * To-device messages between users of one server (client-server API, "Send-to-Device
 * messaging"): PUT /sendToDevice into the devices' inboxes, out through /sync's
 * {@code to_device.events} once, in order, until the device's next sync shows it got them.
 */
class ToDeviceIT {

    static TestHomeserver hs;
    static final AtomicInteger TXN = new AtomicInteger();
    static final AtomicInteger USERS = new AtomicInteger();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    static TestUser user(String name) {
        return hs.registerUser(name + USERS.incrementAndGet());
    }

    /** {@code PUT /sendToDevice/{type}/{txnId}} with {@code {"messages": {to: {device: content}}}}. */
    static JsonNode send(int status, TestUser from, String type, String txnId, String to, String device, ObjectNode content) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("messages").putObject(to).set(device, content);
        return hs.expect(status, from, "PUT", "/_matrix/client/v3/sendToDevice/" + enc(type) + "/" + enc(txnId),
                body.toString());
    }

    static void send(TestUser from, String to, String device, String body) {
        send(200, from, "org.example.ping", "t" + TXN.incrementAndGet(), to, device, content(body));
    }

    static ObjectNode content(String body) {
        return Json.MAPPER.createObjectNode().put("body", body);
    }

    static JsonNode sync(TestUser user, String since) {
        return hs.expect(200, user, "GET", "/_matrix/client/v3/sync?timeout=0"
                + (since == null ? "" : "&since=" + enc(since)), null);
    }

    static String since(TestUser user) {
        return sync(user, null).path("next_batch").asText();
    }

    static List<String> bodies(JsonNode sync) {
        List<String> bodies = new ArrayList<>();
        sync.path("to_device").path("events").forEach(e -> bodies.add(e.path("content").path("body").asText()));
        return bodies;
    }

    static long stored(TestUser user, String deviceId) throws SQLException {
        try (Connection c = hs.homeserver().database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT count(*) FROM to_device_messages WHERE user_id = ? AND device_id = ?")) {
            ps.setString(1, user.userId());
            ps.setString(2, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void aMessageToANamedDeviceReachesThatDeviceOnly() {
        TestUser alice = user("alice");
        TestUser laptop = user("bob");
        TestUser phone = hs.login(laptop);
        String laptopSince = since(laptop);
        String phoneSince = since(phone);

        send(alice, laptop.userId(), laptop.deviceId(), "for the laptop");

        JsonNode sync = sync(laptop, laptopSince);
        assertEquals(List.of("for the laptop"), bodies(sync));
        JsonNode event = sync.path("to_device").path("events").get(0);
        assertEquals(alice.userId(), event.path("sender").asText());
        assertEquals("org.example.ping", event.path("type").asText());
        assertEquals(List.of(), bodies(sync(phone, phoneSince)));
    }

    @Test
    void aMessageToEveryDeviceReachesEach() {
        TestUser alice = user("alice");
        TestUser laptop = user("bob");
        TestUser phone = hs.login(laptop);
        String laptopSince = since(laptop);
        String phoneSince = since(phone);

        send(alice, laptop.userId(), "*", "for every device");

        assertEquals(List.of("for every device"), bodies(sync(laptop, laptopSince)));
        assertEquals(List.of("for every device"), bodies(sync(phone, phoneSince)));
    }

    @Test
    void theSameTransactionIdFromTheSameDeviceSendsOnce() {
        TestUser alice = user("alice");
        TestUser alicesPhone = hs.login(alice);
        TestUser bob = user("bob");
        String since = since(bob);

        send(200, alice, "org.example.ping", "once", bob.userId(), bob.deviceId(), content("first"));
        send(200, alice, "org.example.ping", "once", bob.userId(), bob.deviceId(), content("retried"));
        send(200, alicesPhone, "org.example.ping", "once", bob.userId(), bob.deviceId(), content("other device"));

        assertEquals(List.of("first", "other device"), bodies(sync(bob, since)));
    }

    @Test
    void messagesComeOnceAndGoWhenTheNextSyncShowsThemReceived() throws Exception {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String since = since(bob);
        send(alice, bob.userId(), bob.deviceId(), "hello");

        JsonNode first = sync(bob, since);
        assertEquals(List.of("hello"), bodies(first));
        assertEquals(List.of("hello"), bodies(sync(bob, since)), "a repeated since gets them again");
        String next = first.path("next_batch").asText();
        assertEquals(List.of(), bodies(sync(bob, next)), "delivered once");
        assertEquals(0, stored(bob, bob.deviceId()), "deleted once the next since showed them received");
        assertEquals(List.of(), bodies(sync(bob, since)), "gone for good");
    }

    @Test
    void messagesKeepTheirOrder() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String since = since(bob);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            sent.add("m" + i);
            send(alice, bob.userId(), i % 2 == 0 ? bob.deviceId() : "*", "m" + i);
        }
        assertEquals(sent, bodies(sync(bob, since)));
    }

    @Test
    void aDeletedDevicesMessagesGoWithIt() throws Exception {
        TestUser alice = user("alice");
        TestUser laptop = user("bob");
        TestUser phone = hs.login(laptop);
        send(alice, laptop.userId(), phone.deviceId(), "for the phone");
        assertEquals(1, stored(laptop, phone.deviceId()));

        hs.expect(200, phone, "POST", "/_matrix/client/v3/logout", "{}");

        assertEquals(0, stored(laptop, phone.deviceId()));
    }

    @Test
    void unknownDevicesAndInvalidUsersGetNothing() throws Exception {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String since = since(bob);
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode messages = body.putObject("messages");
        messages.putObject(bob.userId()).set("NOSUCHDEVICE", content("lost"));
        messages.putObject("not a user id").set("X", content("lost"));
        messages.putObject(bob.userId() + "x").set("*", content("lost"));
        hs.expect(200, alice, "PUT", "/_matrix/client/v3/sendToDevice/org.example.ping/unknown", body.toString());

        assertEquals(List.of(), bodies(sync(bob, since)));
        assertEquals(0, stored(bob, "NOSUCHDEVICE"));
    }

    @Test
    void anyStringArrivesAsSent() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String since = since(bob);
        // Written as JSON escapes, as a client sends them.
        String json = "nul \\u0000, emoji \\ud83d\\ude00, \\u00e9";
        hs.expect(200, alice, "PUT", "/_matrix/client/v3/sendToDevice/org.example.ping/odd", "{\"messages\": {\""
                + bob.userId() + "\": {\"" + bob.deviceId() + "\": {\"body\": \"" + json + "\"}}}}");
        // A lone surrogate has no UTF-8 form: refused up front, as in every request body.
        hs.expect(400, alice, "PUT", "/_matrix/client/v3/sendToDevice/org.example.ping/lone", "{\"messages\": {\""
                + bob.userId() + "\": {\"" + bob.deviceId() + "\": {\"body\": \"lone \\ud800\"}}}}");

        assertEquals(List.of("nul \u0000, emoji \ud83d\ude00, \u00e9"), bodies(sync(bob, since)));
    }

    @Test
    void malformedRequestsAreRefused() {
        TestUser alice = user("alice");
        String path = "/_matrix/client/v3/sendToDevice/org.example.ping/bad";
        JsonNode missing = hs.expect(400, alice, "PUT", path, "{}");
        assertEquals("M_MISSING_PARAM", missing.path("errcode").asText());
        JsonNode notAnObject = hs.expect(400, alice, "PUT", path,
                "{\"messages\": {\"" + alice.userId() + "\": {\"" + alice.deviceId() + "\": \"text\"}}}");
        assertEquals("M_BAD_JSON", notAnObject.path("errcode").asText());
        JsonNode devicesNotAnObject = hs.expect(400, alice, "PUT", path,
                "{\"messages\": {\"" + alice.userId() + "\": []}}");
        assertEquals("M_BAD_JSON", devicesNotAnObject.path("errcode").asText());
        hs.expect(401, null, "PUT", path, "{\"messages\": {}}");
    }

    @Test
    void oneRequestReachesAtMostTheDeviceLimit() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode devices = body.putObject("messages").putObject(bob.userId());
        for (int i = 0; i <= ToDeviceSender.MAX_DELIVERIES; i++) {
            devices.putObject("D" + i);
        }
        JsonNode refused = hs.expect(413, alice, "PUT", "/_matrix/client/v3/sendToDevice/org.example.ping/many",
                body.toString());
        assertEquals("M_TOO_LARGE", refused.path("errcode").asText());
    }
}
