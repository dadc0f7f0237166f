package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.http.Json;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * To-device messages between servers (server-server API, "Send-to-device messaging"): what a
 * user of one Myelin sends to a user of another travels as {@code m.direct_to_device} EDUs
 * through the outbound queue and reaches the devices through their /sync, in order; an EDU whose
 * sender is not a user of the server that sent it is dropped, and one sent again is delivered once.
 */
class ToDeviceFederationIT {

    static TestHomeserver a;
    static TestHomeserver b;
    static FakeRemoteServer fake;
    static final AtomicInteger COUNTER = new AtomicInteger();

    @BeforeAll
    static void start() {
        a = TestHomeserver.builder().configure(c -> c.withFederation(c.federation().withBackoff(200, 1000))).start();
        b = TestHomeserver.builder().configure(c -> c.withFederation(c.federation().withBackoff(200, 1000))).start();
        fake = FakeRemoteServer.start();
    }

    @AfterAll
    static void stop() {
        fake.close();
        b.close();
        a.close();
    }

    static TestUser user(TestHomeserver hs, String name) {
        return hs.registerUser(name + COUNTER.incrementAndGet());
    }

    static void send(TestUser from, String to, String device, String body) {
        ObjectNode request = Json.MAPPER.createObjectNode();
        request.putObject("messages").putObject(to).putObject(device).put("body", body);
        a.expect(200, from, "PUT", "/_matrix/client/v3/sendToDevice/org.example.ping/t" + COUNTER.incrementAndGet(),
                request.toString());
    }

    static String since(TestHomeserver hs, TestUser user) {
        return hs.expect(200, user, "GET", "/_matrix/client/v3/sync?timeout=0", null).path("next_batch").asText();
    }

    /** The to-device events {@code user}'s device gets by syncing from {@code since} until {@code count} came. */
    static List<JsonNode> receive(TestHomeserver hs, TestUser user, String since, int count) {
        List<JsonNode> events = new ArrayList<>();
        String[] next = {since};
        ThreeServers.await(user.userId() + "'s device gets " + count + " to-device messages", () -> {
            JsonNode sync = hs.expect(200, user, "GET",
                    "/_matrix/client/v3/sync?timeout=1000&since=" + enc(next[0]), null);
            next[0] = sync.path("next_batch").asText();
            sync.path("to_device").path("events").forEach(events::add);
            return events.size() >= count;
        }, () -> events);
        return events;
    }

    static List<String> bodies(List<JsonNode> events) {
        return events.stream().map(e -> e.path("content").path("body").asText()).toList();
    }

    @Test
    void messagesCrossToTheOtherServersDevicesInOrder() {
        TestUser alice = user(a, "alice");
        TestUser laptop = user(b, "bob");
        TestUser phone = b.login(laptop);
        String laptopSince = since(b, laptop);
        String phoneSince = since(b, phone);

        send(alice, laptop.userId(), laptop.deviceId(), "one");
        send(alice, laptop.userId(), "*", "two");
        send(alice, laptop.userId(), laptop.deviceId(), "three");

        List<JsonNode> got = receive(b, laptop, laptopSince, 3);
        assertEquals(List.of("one", "two", "three"), bodies(got));
        assertEquals(alice.userId(), got.getFirst().path("sender").asText());
        assertEquals("org.example.ping", got.getFirst().path("type").asText());
        assertEquals(List.of("two"), bodies(receive(b, phone, phoneSince, 1)));
    }

    static ObjectNode directToDevice(String sender, String messageId, TestUser to, String body) {
        ObjectNode edu = Json.MAPPER.createObjectNode().put("edu_type", "m.direct_to_device");
        ObjectNode content = edu.putObject("content").put("sender", sender).put("type", "org.example.ping")
                .put("message_id", messageId);
        content.putObject("messages").putObject(to.userId()).putObject(to.deviceId()).put("body", body);
        return edu;
    }

    static void fakeSends(ObjectNode... edus) {
        HttpResponse<String> r = fake.request(b, "PUT", "/_matrix/federation/v1/send/f" + COUNTER.incrementAndGet(),
                fake.transactionOf(List.of(), List.of(edus)));
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void aServerSpeaksOnlyForItsOwnUsersAndIsHeardOncePerMessageId() {
        TestUser bob = user(b, "bob");
        String since = since(b, bob);

        fakeSends(directToDevice("@mallory:" + a.serverName(), "forged", bob, "forged"),
                directToDevice(fake.user("eve"), "m1", bob, "genuine"));
        fakeSends(directToDevice(fake.user("eve"), "m1", bob, "genuine"),
                directToDevice(fake.user("eve"), "m2", bob, "later"));

        List<JsonNode> got = receive(b, bob, since, 2);
        assertEquals(List.of("genuine", "later"), bodies(got));
        assertEquals(fake.user("eve"), got.getFirst().path("sender").asText());
    }
}
