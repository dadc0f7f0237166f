package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.server.streams.SyncToken;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streams other modules write to (to-device messages, device lists) through the API they are
 * given: a repository write that takes a stream position, then {@link Streams#advanced}.
 */
class OtherStreamsIT {

    static TestHomeserver hs;
    static SyncClient client;
    static TestUser alice;
    static TestUser bob;
    static TestUser stranger;
    static final AtomicInteger TXN = new AtomicInteger();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new SyncClient(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        stranger = hs.registerUser("stranger");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static SyncServices services() {
        return hs.homeserver().sync();
    }

    private static Streams streams() {
        return hs.homeserver().rooms().streams;
    }

    private static void sendToDevice(TestUser to, String deviceId, String body) {
        hs.expect(200, alice, "PUT", "/_matrix/client/v3/sendToDevice/org.example.ping/" + TXN.incrementAndGet(),
                "{\"messages\": {\"" + to.userId() + "\": {\"" + deviceId + "\": {\"body\": \"" + body + "\"}}}}");
    }

    private static List<String> toDeviceBodies(JsonNode sync) {
        List<String> bodies = new ArrayList<>();
        sync.path("to_device").path("events").forEach(e -> bodies.add(e.path("content").path("body").asText()));
        return bodies;
    }

    @Test
    void toDeviceMessagesReachTheirDeviceOnceAcknowledged() throws Exception {
        TestUser bobsPhone = hs.login(bob);
        String since = client.sync(bob).path("next_batch").asText();
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(
                () -> client.longPoll(bob, since, 30_000, ""));
        Thread.sleep(200);
        sendToDevice(bob, bob.deviceId(), "for the laptop");

        JsonNode sync = waiting.get(60, TimeUnit.SECONDS);
        assertEquals(List.of("for the laptop"), toDeviceBodies(sync));
        JsonNode event = sync.path("to_device").path("events").get(0);
        assertEquals(alice.userId(), event.path("sender").asText());
        assertEquals("org.example.ping", event.path("type").asText());
        assertEquals(List.of(), toDeviceBodies(client.sync(bobsPhone)), "not for the other device");

        assertEquals(List.of("for the laptop"), toDeviceBodies(client.sync(bob, since, "")),
                "repeated until acknowledged");
        assertEquals(List.of(), toDeviceBodies(client.sync(bob, sync.path("next_batch").asText(), "")));
        assertEquals(List.of(), toDeviceBodies(client.sync(bob, since, "")), "deleted once acknowledged");
    }

    @Test
    void manyToDeviceMessagesArriveInBatches() {
        String since = client.sync(alice).path("next_batch").asText();
        for (int i = 0; i < Sync.TO_DEVICE_LIMIT + 20; i++) {
            sendToDevice(alice, alice.deviceId(), "m" + i);
        }
        JsonNode first = client.sync(alice, since, "");
        assertEquals(Sync.TO_DEVICE_LIMIT, toDeviceBodies(first).size());
        JsonNode second = client.sync(alice, first.path("next_batch").asText(), "");
        List<String> rest = toDeviceBodies(second);
        assertEquals(20, rest.size());
        assertEquals("m" + Sync.TO_DEVICE_LIMIT, rest.getFirst());
    }

    @Test
    void deviceListChangesOfPeopleSharingARoom() {
        String roomId = client.createRoom(alice, "{}");
        client.invite(alice, roomId, bob);
        client.join(bob, roomId);
        String since = client.sync(alice).path("next_batch").asText();
        long position = services().deviceLists.changed(List.of(bob.userId(), stranger.userId()));
        streams().advanced(StreamId.DEVICE_LISTS, position, List.of(alice.userId()));

        JsonNode sync = client.longPoll(alice, since, 30_000, "");
        List<String> changed = new ArrayList<>();
        sync.path("device_lists").path("changed").forEach(u -> changed.add(u.asText()));
        assertEquals(List.of(bob.userId()), changed, "only users sharing a room");
        assertTrue(SyncToken.parse(sync.path("next_batch").asText()).position(StreamId.DEVICE_LISTS) >= position);
    }
}
