package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.SyncClient.V3;
import static org.myelin.server.client.sync.SyncClient.enc;
import static org.myelin.server.client.sync.SyncClient.obj;
import static org.myelin.server.client.sync.SyncClient.room;

/**
 * The deprecated event stream, {@code GET /events} (client-server API, "Listen on the event
 * stream", "Room Previews"), and {@code GET /events/{eventId}}: long polls woken by a new
 * message, tokens that chain without losing or repeating an event, peeking into a world-readable
 * room through {@code room_id}, and what a user may not read.
 */
class LegacyEventsIT {

    static TestHomeserver hs;
    static SyncClient client;
    static TestUser alice;
    static TestUser bob;
    static TestUser eve;
    static final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder().configure(c -> c.withRegistration(
                new HomeserverConfig.Registration(true, true, false, true, null))).start();
        client = new SyncClient(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        eve = hs.registerUser("eve");
    }

    @AfterAll
    static void stop() {
        threads.shutdownNow();
        hs.close();
    }

    /** A room of alice's that bob joined. */
    private static String sharedRoom(String body) {
        String roomId = client.createRoom(alice, body);
        client.invite(alice, roomId, bob);
        client.join(bob, roomId);
        return roomId;
    }

    private static String worldReadableRoom() {
        return client.createRoom(alice, "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.history_visibility\",\"state_key\":\"\",\"content\":{\"history_visibility\":"
                + "\"world_readable\"}}]}");
    }

    /** {@code GET /events} with the query given, waiting up to {@code timeoutMs}. */
    private static JsonNode events(TestUser user, String query, long timeoutMs) {
        HttpResponse<String> r = eventsCall(user, query, timeoutMs);
        assertEquals(200, r.statusCode(), r::body);
        return TestHomeserver.json(r);
    }

    private static HttpResponse<String> eventsCall(TestUser user, String query, long timeoutMs) {
        String path = V3 + "/events?timeout=" + timeoutMs + (query.isEmpty() ? "" : "&" + query);
        HttpRequest request = HttpRequest.newBuilder(hs.clientUri(path)).GET()
                .header("Authorization", "Bearer " + user.accessToken())
                .timeout(Duration.ofMillis(timeoutMs + 60_000)).build();
        try {
            return hs.http().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The current token of {@code user}'s stream: where a request without {@code from} starts. */
    private static String now(TestUser user, String query) {
        JsonNode answer = events(user, query, 0);
        assertEquals(0, answer.path("chunk").size(), answer::toString);
        return answer.path("end").asText();
    }

    private static List<JsonNode> ofType(JsonNode answer, String type) {
        List<JsonNode> found = new ArrayList<>();
        answer.path("chunk").forEach(e -> {
            if (e.path("type").asText().equals(type)) {
                found.add(e);
            }
        });
        return found;
    }

    private static List<String> messageIds(JsonNode answer) {
        return ofType(answer, "m.room.message").stream().map(e -> e.path("event_id").asText()).toList();
    }

    @Test
    void aWaitingRequestWakesWithTheMessageAnotherUserSends() throws Exception {
        String roomId = sharedRoom("{}");
        String from = now(bob, "");
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(
                () -> events(bob, "from=" + enc(from), 30_000), threads);
        Thread.sleep(300); // let it start waiting; it must see the message either way
        assertFalse(waiting.isDone(), "nothing happened yet: the request waits");
        String eventId = client.send(alice, roomId, "wake up");

        JsonNode answer = waiting.get(60, TimeUnit.SECONDS);
        assertEquals(List.of(eventId), messageIds(answer), answer::toString);
        JsonNode message = ofType(answer, "m.room.message").getFirst();
        assertEquals(roomId, message.path("room_id").asText());
        assertEquals("wake up", message.path("content").path("body").asText());
        assertEquals(alice.userId(), message.path("sender").asText());
        assertEquals(from, answer.path("start").asText());
        assertNotEquals(from, answer.path("end").asText());
    }

    @Test
    void aRequestWithNothingNewAnswersEmptyAtItsTimeout() {
        sharedRoom("{}");
        String from = now(bob, "");
        JsonNode answer = events(bob, "from=" + enc(from), 100);
        assertEquals(0, answer.path("chunk").size(), answer::toString);
        assertEquals(from, answer.path("start").asText());
        assertEquals(from, answer.path("end").asText());
    }

    @Test
    void tokensChainEveryEventOnceInOrderWithinTheLimit() {
        String roomId = sharedRoom("{}");
        String t0 = now(bob, "");
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(client.send(alice, roomId, "m" + i));
        }
        JsonNode first = events(bob, "from=" + enc(t0) + "&limit=3", 0);
        assertEquals(sent.subList(0, 3), messageIds(first), first::toString);
        String t1 = first.path("end").asText();
        JsonNode second = events(bob, "from=" + enc(t1) + "&limit=3", 0);
        assertEquals(sent.subList(3, 5), messageIds(second), second::toString);
        String t2 = second.path("end").asText();
        JsonNode third = events(bob, "from=" + enc(t2), 0);
        assertEquals(List.of(), messageIds(third), third::toString);

        // A /sync next_batch is a stream token as good as /events' own.
        String nextBatch = client.sync(bob).path("next_batch").asText();
        String after = client.send(alice, roomId, "after the sync");
        assertEquals(List.of(after), messageIds(events(bob, "from=" + enc(nextBatch), 0)));
    }

    @Test
    void typingReceiptsAndOwnInvitesComeWithTheirRooms() {
        String roomId = sharedRoom("{}");
        String from = now(bob, "");
        String message = client.send(alice, roomId, "read me");
        client.ok(alice, "PUT", room(roomId) + "/typing/" + enc(alice.userId()),
                obj().put("typing", true).put("timeout", 30_000));
        client.ok(alice, "POST", room(roomId) + "/receipt/m.read/" + enc(message), obj());
        String other = client.createRoom(alice, "{}");
        client.invite(alice, other, bob);

        JsonNode answer = events(bob, "from=" + enc(from), 0);
        JsonNode typing = ofType(answer, "m.typing").getLast();
        assertEquals(roomId, typing.path("room_id").asText(), answer::toString);
        assertEquals(alice.userId(), typing.path("content").path("user_ids").path(0).asText());
        JsonNode receipt = ofType(answer, "m.receipt").getFirst();
        assertEquals(roomId, receipt.path("room_id").asText(), answer::toString);
        assertTrue(receipt.path("content").path(message).path("m.read").has(alice.userId()), answer::toString);
        assertTrue(ofType(answer, "m.room.member").stream().anyMatch(e -> e.path("room_id").asText().equals(other)
                && e.path("state_key").asText().equals(bob.userId())
                && e.path("content").path("membership").asText().equals("invite")), answer::toString);
    }

    @Test
    void anOutsiderPeeksIntoAWorldReadableRoomThroughRoomId() throws Exception {
        String roomId = worldReadableRoom();
        String query = "room_id=" + enc(roomId);
        String from = now(eve, query);
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(
                () -> events(eve, query + "&from=" + enc(from), 30_000), threads);
        Thread.sleep(300);
        String eventId = client.send(alice, roomId, "for all to read");

        JsonNode answer = waiting.get(60, TimeUnit.SECONDS);
        assertEquals(List.of(eventId), messageIds(answer), answer::toString);
        // Without room_id, the stream is eve's own rooms: not this one.
        String later = client.send(alice, roomId, "still for all");
        JsonNode own = events(eve, "from=" + enc(answer.path("end").asText()), 0);
        assertFalse(messageIds(own).contains(later), own::toString);
        assertEquals(List.of(later), messageIds(events(eve, query + "&from=" + enc(answer.path("end").asText()), 0)));
    }

    @Test
    void peekingARoomThatIsNotWorldReadableIsForbidden() {
        String shared = client.createRoom(alice, "{\"preset\":\"public_chat\"}");
        client.send(alice, shared, "members only");
        HttpResponse<String> r = eventsCall(eve, "room_id=" + enc(shared), 0);
        assertEquals(403, r.statusCode(), r::body);
        assertEquals("M_FORBIDDEN", TestHomeserver.json(r).path("errcode").asText());
        HttpResponse<String> unknown = eventsCall(eve, "room_id=" + enc("!nowhere:" + hs.serverName()), 0);
        assertEquals(403, unknown.statusCode(), unknown::body);
        assertEquals(400, eventsCall(eve, "from=nonsense", 0).statusCode());
        assertEquals(400, eventsCall(eve, "room_id=not-a-room", 0).statusCode());
    }

    @Test
    void aGuestMustNameARoom() {
        JsonNode registered = TestHomeserver.json(hs.request("POST", V3 + "/register?kind=guest", "{}"));
        TestUser guest = new TestUser(registered.path("user_id").asText(), registered.path("device_id").asText(),
                registered.path("access_token").asText(), null);
        assertEquals(400, eventsCall(guest, "", 0).statusCode());
        String roomId = worldReadableRoom();
        client.send(alice, roomId, "before the guest looks");
        String from = now(guest, "room_id=" + enc(roomId));
        String next = client.send(alice, roomId, "and this");
        assertEquals(List.of(next), messageIds(events(guest, "room_id=" + enc(roomId) + "&from=" + enc(from), 0)));
    }

    @Test
    void oneEventByIdForThoseWhoMaySeeIt() {
        String privateRoom = sharedRoom("{}");
        String secret = client.send(alice, privateRoom, "secret");
        JsonNode event = client.ok(bob, "GET", V3 + "/events/" + enc(secret), null);
        assertEquals(secret, event.path("event_id").asText());
        assertEquals(privateRoom, event.path("room_id").asText());
        assertEquals("secret", event.path("content").path("body").asText());
        client.fails(404, "M_NOT_FOUND", eve, "GET", V3 + "/events/" + enc(secret), null);
        client.fails(404, "M_NOT_FOUND", bob, "GET", V3 + "/events/" + enc("$unknown"), null);

        String open = worldReadableRoom();
        String readable = client.send(alice, open, "open");
        assertEquals("open", client.ok(eve, "GET", V3 + "/events/" + enc(readable), null)
                .path("content").path("body").asText());
    }
}
