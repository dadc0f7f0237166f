package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.SyncClient.bodies;
import static org.myelin.server.client.sync.SyncClient.filter;
import static org.myelin.server.client.sync.SyncClient.joined;

/**
 * Long polling and the stream guarantees: a waiting sync returns with what another user sent,
 * a timeout returns empty, and across consecutive syncs every event comes exactly once, in order,
 * while several users send at once.
 */
class LongPollIT {

    static TestHomeserver hs;
    static SyncClient client;
    static TestUser alice;
    static TestUser bob;
    static TestUser carol;
    static ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new SyncClient(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        carol = hs.registerUser("carol");
    }

    @AfterAll
    static void stop() {
        threads.shutdownNow();
        hs.close();
    }

    private static String sharedRoom(TestUser... others) {
        String roomId = client.createRoom(alice, "{}");
        for (TestUser other : others) {
            client.invite(alice, roomId, other);
            client.join(other, roomId);
        }
        return roomId;
    }

    @Test
    void aWaitingSyncReturnsWithTheMessageAnotherUserSends() throws Exception {
        String roomId = sharedRoom(bob);
        String since = client.sync(bob).path("next_batch").asText();
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(
                () -> client.longPoll(bob, since, 30_000, ""), threads);
        Thread.sleep(300); // let the sync start waiting; it must see the message either way
        String eventId = client.send(alice, roomId, "wake up");

        JsonNode sync = waiting.get(60, TimeUnit.SECONDS);
        List<JsonNode> events = SyncClient.timeline(sync, roomId);
        assertEquals(1, events.size(), sync::toString);
        assertEquals(eventId, events.getFirst().path("event_id").asText());
    }

    @Test
    void aWaitingSyncWakesForANewInvite() throws Exception {
        String since = client.sync(carol).path("next_batch").asText();
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(
                () -> client.longPoll(carol, since, 30_000, ""), threads);
        Thread.sleep(300);
        String roomId = client.createRoom(alice, "{}");
        client.invite(alice, roomId, carol);
        JsonNode sync = waiting.get(60, TimeUnit.SECONDS);
        // The wake-up may come with the invite, or (if the sync woke earlier for something else) soon after.
        String next = sync.path("next_batch").asText();
        while (!sync.path("rooms").path("invite").has(roomId)) {
            sync = client.longPoll(carol, next, 30_000, "");
            next = sync.path("next_batch").asText();
        }
        assertTrue(sync.path("rooms").path("invite").has(roomId));
    }

    /** The keys a sync waits on are kept per user between syncs; a join must renew them. */
    @Test
    void aWaitingSyncWakesForARoomJoinedSinceItsLastWait() throws Exception {
        TestUser dave = hs.registerUser("dave-wake");
        String first = sharedRoom(dave);
        String since = client.sync(dave).path("next_batch").asText();
        client.longPoll(dave, since, 200, ""); // a wait before the join: its keys are the first room's
        String second = client.createRoom(alice, "{}");
        client.invite(alice, second, dave);
        client.join(dave, second);
        String afterJoin = client.sync(dave).path("next_batch").asText();
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(
                () -> client.longPoll(dave, afterJoin, 30_000, ""), threads);
        Thread.sleep(300);
        String eventId = client.send(alice, second, "in the new room");

        JsonNode sync = waiting.get(20, TimeUnit.SECONDS);
        List<JsonNode> events = SyncClient.timeline(sync, second);
        assertEquals(1, events.size(), sync::toString);
        assertEquals(eventId, events.getFirst().path("event_id").asText());
        assertFalse(sync.path("rooms").path("join").has(first), sync::toString);
    }

    @Test
    void aTimeoutWithNothingNewReturnsEmptyRooms() {
        sharedRoom(bob);
        String since = client.sync(bob).path("next_batch").asText();
        JsonNode sync = client.longPoll(bob, since, 500, "");
        assertTrue(sync.path("rooms").path("join").isEmpty(), sync::toString);
        assertEquals(since, sync.path("next_batch").asText(), "nothing moved");
    }

    @Test
    void concurrentSendersAreSeenExactlyOnceAndInOrder() throws Exception {
        String roomId = sharedRoom(bob, carol);
        String since = client.sync(carol).path("next_batch").asText();
        int perSender = 250;
        CompletableFuture<Void> fromAlice = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < perSender; i++) {
                client.send(alice, roomId, "alice " + i);
            }
        }, threads);
        CompletableFuture<Void> fromBob = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < perSender; i++) {
                client.send(bob, roomId, "bob " + i);
            }
        }, threads);

        String big = filter("{\"room\": {\"timeline\": {\"limit\": 1000}}}");
        List<String> seen = new ArrayList<>();
        Set<String> eventIds = new HashSet<>();
        int syncs = 0;
        while (seen.size() < 2 * perSender) {
            JsonNode sync = client.longPoll(carol, since, 10_000, big);
            syncs++;
            JsonNode room = joined(sync, roomId);
            assertFalse(room.path("timeline").path("limited").asBoolean(), "a limit of 1000 is never reached");
            for (JsonNode e : SyncClient.timeline(sync, roomId)) {
                assertTrue(eventIds.add(e.path("event_id").asText()), "event seen twice: " + e);
            }
            seen.addAll(bodies(sync, roomId));
            since = sync.path("next_batch").asText();
            assertTrue(syncs < 10_000, "syncs make progress");
        }
        fromAlice.get(60, TimeUnit.SECONDS);
        fromBob.get(60, TimeUnit.SECONDS);
        assertEquals(2 * perSender, seen.size());
        assertEquals(2 * perSender, new HashSet<>(seen).size(), "no message twice");
        for (String sender : List.of("alice", "bob")) {
            List<String> own = seen.stream().filter(b -> b.startsWith(sender + " ")).toList();
            for (int i = 0; i < perSender; i++) {
                assertEquals(sender + " " + i, own.get(i), "each sender's messages in order");
            }
        }
        JsonNode after = client.sync(carol, since, "");
        assertTrue(joined(after, roomId).isMissingNode(), "nothing left over");
        assertTrue(syncs > 1, "read across several syncs while the senders were sending");
    }

    @Test
    void smallWindowsAcrossManyEventsStillNeverRepeatAnEvent() {
        String roomId = sharedRoom(bob);
        String since = client.sync(bob).path("next_batch").asText();
        Set<String> ids = new HashSet<>();
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 7; i++) {
                client.send(alice, roomId, "r" + round + " m" + i);
            }
            JsonNode sync = client.sync(bob, since, filter("{\"room\": {\"timeline\": {\"limit\": 4}}}"));
            JsonNode timeline = joined(sync, roomId).path("timeline");
            assertTrue(timeline.path("limited").asBoolean());
            assertEquals(List.of("r" + round + " m3", "r" + round + " m4", "r" + round + " m5", "r" + round + " m6"),
                    bodies(sync, roomId));
            timeline.path("events").forEach(e -> assertTrue(ids.add(e.path("event_id").asText())));
            since = sync.path("next_batch").asText();
        }
    }
}
