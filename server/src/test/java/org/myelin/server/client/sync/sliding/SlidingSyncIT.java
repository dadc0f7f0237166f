package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.sync.sliding.SlidingClient.bodies;
import static org.myelin.server.client.sync.sliding.SlidingClient.listBody;
import static org.myelin.server.client.sync.sliding.SlidingClient.listRooms;
import static org.myelin.server.client.sync.sliding.SlidingClient.obj;
import static org.myelin.server.client.sync.sliding.SlidingClient.roomOf;
import static org.myelin.server.client.sync.sliding.SlidingClient.stateKeys;

/**
 * Simplified sliding sync (MSC4186) as a client sees it: lists ordered by bump stamp and cut to
 * ranges, required state, room subscriptions, what an incremental request carries, long polling
 * and an unknown position. Filters and extensions are in {@link SlidingSyncFiltersIT} and
 * {@link SlidingSyncExtensionsIT}.
 */
class SlidingSyncIT {

    static TestHomeserver hs;
    static SlidingClient client;
    static final AtomicInteger USERS = new AtomicInteger();
    static final ExecutorService THREADS = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new SlidingClient(hs);
    }

    @AfterAll
    static void stop() {
        THREADS.shutdownNow();
        hs.close();
    }

    static TestUser user(String name) {
        return hs.registerUser(name + "-" + USERS.incrementAndGet());
    }

    @Test
    void versionsAdvertiseSimplifiedSlidingSync() {
        JsonNode versions = TestHomeserver.json(hs.get("/_matrix/client/versions"));
        assertTrue(versions.path("unstable_features").path("org.matrix.simplified_msc3575").asBoolean(false),
                versions::toString);
    }

    @Test
    void listOrdersRoomsByBumpStampAsMessagesArrive() {
        TestUser alice = user("alice");
        String a = client.createRoom(alice, "{\"name\": \"A\"}");
        String b = client.createRoom(alice, "{\"name\": \"B\"}");
        String c = client.createRoom(alice, "{\"name\": \"C\"}");
        ObjectNode body = listBody("all", 9, 1, "[]");

        JsonNode first = client.sync(alice, null, body);
        assertEquals(List.of(c, b, a), listRooms(first, "all"), first::toString);
        assertEquals(3, first.path("lists").path("all").path("count").asInt());
        long bumpC = roomOf(first, c).path("bump_stamp").asLong();
        long bumpA = roomOf(first, a).path("bump_stamp").asLong();
        assertTrue(bumpC > bumpA, first::toString);
        assertTrue(roomOf(first, a).path("initial").asBoolean(), "the first time a room is sent it is initial");
        assertEquals("A", roomOf(first, a).path("name").asText());

        client.send(alice, a, "a message bumps a");
        JsonNode second = client.sync(alice, first.path("pos").asText(), body);
        assertEquals(List.of(a, c, b), listRooms(second, "all"), second::toString);
        assertTrue(roomOf(second, a).path("bump_stamp").asLong() > bumpC, second::toString);
        assertEquals(List.of("a message bumps a"), bodies(second, a));

        // A state event is news for the room but does not bump it.
        client.state(alice, b, "m.room.topic", "", obj().put("topic", "no bump"));
        JsonNode third = client.sync(alice, second.path("pos").asText(), body);
        assertEquals(List.of(a, c, b), listRooms(third, "all"), third::toString);
        assertTrue(third.path("rooms").has(b), third::toString);

        client.send(alice, b, "now b");
        JsonNode fourth = client.sync(alice, third.path("pos").asText(), body);
        assertEquals(List.of(b, a, c), listRooms(fourth, "all"), fourth::toString);
    }

    @Test
    void rangesCutTheListAndOnlyTheirRoomsAreSent() {
        TestUser alice = user("alice");
        String[] rooms = new String[5];
        for (int i = 0; i < rooms.length; i++) {
            rooms[i] = client.createRoom(alice, "{}");
        }
        ObjectNode body = obj();
        ObjectNode list = body.putObject("lists").putObject("window");
        list.putArray("ranges").addArray().add(1).add(2);
        list.put("timeline_limit", 0).putArray("required_state");

        JsonNode response = client.sync(alice, null, body);
        JsonNode op = response.path("lists").path("window").path("ops").path(0);
        assertEquals(5, response.path("lists").path("window").path("count").asInt(), response::toString);
        assertEquals("SYNC", op.path("op").asText());
        assertEquals("[1,2]", op.path("range").toString());
        assertEquals(List.of(rooms[3], rooms[2]), listRooms(response, "window"));
        assertEquals(Set.of(rooms[3], rooms[2]), fieldNames(response.path("rooms")));
        assertFalse(roomOf(response, rooms[3]).has("timeline"), "a timeline_limit of 0 sends no timeline");
    }

    @Test
    void aListWithoutRangesGivesOnlyItsCount() {
        TestUser alice = user("alice");
        client.createRoom(alice, "{}");
        client.createRoom(alice, "{}");
        ObjectNode body = obj();
        body.putObject("lists").putObject("counted").put("timeline_limit", 1).putArray("required_state");

        JsonNode response = client.sync(alice, null, body);
        assertEquals(2, response.path("lists").path("counted").path("count").asInt(), response::toString);
        assertTrue(response.path("rooms").isEmpty(), response::toString);
    }

    @Test
    void timelineCarriesTheNewestEventsWithPrevBatchAndLimited() {
        TestUser alice = user("alice");
        String roomId = client.createRoom(alice, "{}");
        for (int i = 0; i < 5; i++) {
            client.send(alice, roomId, "m" + i);
        }
        JsonNode response = client.sync(alice, null, listBody("l", 0, 3, "[]"));
        JsonNode room = roomOf(response, roomId);
        assertEquals(List.of("m2", "m3", "m4"), bodies(response, roomId));
        assertTrue(room.path("limited").asBoolean(), room::toString);
        assertEquals(0, room.path("num_live").asInt(), "nothing is live on a fresh connection");
        assertFalse(room.has("room_id"), "events come without their room id");

        // prev_batch continues backwards with /messages.
        JsonNode messages = client.ok(alice, "GET", SlidingClient.room(roomId) + "/messages?dir=b&limit=2&from="
                + SlidingClient.enc(room.path("prev_batch").asText()), null);
        assertEquals("m1", messages.path("chunk").path(0).path("content").path("body").asText(), messages::toString);
    }

    @Test
    void requiredStateWithLazyMembersSendsTheTimelinesSenders() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        TestUser carol = user("carol");
        String roomId = client.sharedRoom(alice, bob, carol);
        client.send(bob, roomId, "from bob");

        JsonNode lazy = client.sync(alice, null,
                listBody("l", 0, 1, "[[\"m.room.member\", \"$LAZY\"], [\"m.room.create\", \"\"]]"));
        assertEquals(Set.of("m.room.create|", "m.room.member|" + bob.userId()), Set.copyOf(stateKeys(lazy, roomId)),
                lazy::toString);

        JsonNode me = client.sync(alice, null, listBody("l", 0, 1, "[[\"m.room.member\", \"$ME\"]]"));
        assertEquals(List.of("m.room.member|" + alice.userId()), stateKeys(me, roomId), me::toString);

        JsonNode all = client.sync(alice, null, listBody("l", 0, 1, "[[\"*\", \"*\"]]"));
        List<String> keys = stateKeys(all, roomId);
        assertTrue(keys.containsAll(List.of("m.room.create|", "m.room.power_levels|", "m.room.join_rules|",
                "m.room.member|" + alice.userId(), "m.room.member|" + bob.userId(),
                "m.room.member|" + carol.userId())), keys::toString);

        JsonNode members = client.sync(alice, null, listBody("l", 0, 1, "[[\"m.room.member\", \"*\"]]"));
        assertEquals(Set.of("m.room.member|" + alice.userId(), "m.room.member|" + bob.userId(),
                "m.room.member|" + carol.userId()), Set.copyOf(stateKeys(members, roomId)), members::toString);
    }

    @Test
    void lazyMembersAlreadySentAreNotSentAgain() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        TestUser carol = user("carol");
        String roomId = client.sharedRoom(alice, bob, carol);
        client.send(bob, roomId, "one");
        ObjectNode body = listBody("l", 0, 1, "[[\"m.room.member\", \"$LAZY\"]]");
        JsonNode first = client.sync(alice, null, body);
        assertEquals(List.of("m.room.member|" + bob.userId()), stateKeys(first, roomId));

        client.send(bob, roomId, "two");
        JsonNode second = client.sync(alice, first.path("pos").asText(), body);
        assertEquals(List.of("two"), bodies(second, roomId));
        assertFalse(roomOf(second, roomId).has("required_state"), "bob's membership was sent already");

        client.send(carol, roomId, "three");
        JsonNode third = client.sync(alice, second.path("pos").asText(), body);
        assertEquals(List.of("m.room.member|" + carol.userId()), stateKeys(third, roomId), third::toString);
    }

    @Test
    void incrementalRequestsCarryStateChangesTheRequiredStateAsksFor() {
        TestUser alice = user("alice");
        String roomId = client.createRoom(alice, "{\"topic\": \"first\"}");
        ObjectNode body = listBody("l", 0, 0, "[[\"m.room.topic\", \"\"]]");
        JsonNode first = client.sync(alice, null, body);
        assertEquals("first", roomOf(first, roomId).path("required_state").path(0).path("content").path("topic").asText());

        client.state(alice, roomId, "m.room.topic", "", obj().put("topic", "second"));
        client.state(alice, roomId, "org.example.ignored", "", obj().put("x", 1));
        JsonNode second = client.sync(alice, first.path("pos").asText(), body);
        JsonNode room = roomOf(second, roomId);
        assertEquals(List.of("m.room.topic|"), stateKeys(second, roomId), second::toString);
        assertEquals("second", room.path("required_state").path(0).path("content").path("topic").asText());
        assertFalse(room.has("initial"), "a room the connection has is not initial");

        // Asking for more state sends what the connection lacks, now.
        ObjectNode wider = listBody("l", 0, 0, "[[\"m.room.topic\", \"\"], [\"m.room.create\", \"\"]]");
        JsonNode third = client.sync(alice, second.path("pos").asText(), wider);
        assertEquals(List.of("m.room.create|"), stateKeys(third, roomId), third::toString);
    }

    @Test
    void incrementalRequestsCarryOnlyRoomsThatChanged() {
        TestUser alice = user("alice");
        String quiet = client.createRoom(alice, "{}");
        String busy = client.createRoom(alice, "{}");
        ObjectNode body = listBody("l", 9, 5, "[]");
        JsonNode first = client.sync(alice, null, body);
        assertEquals(Set.of(quiet, busy), fieldNames(first.path("rooms")));

        client.send(alice, busy, "news");
        JsonNode second = client.sync(alice, first.path("pos").asText(), body);
        assertEquals(Set.of(busy), fieldNames(second.path("rooms")), second::toString);
        JsonNode room = roomOf(second, busy);
        assertEquals(List.of("news"), bodies(second, busy));
        assertEquals(1, room.path("num_live").asInt());
        assertFalse(room.has("initial"));
        assertFalse(room.path("limited").asBoolean(), room::toString);

        String fresh = client.createRoom(alice, "{}");
        JsonNode third = client.sync(alice, second.path("pos").asText(), body);
        assertEquals(Set.of(fresh), fieldNames(third.path("rooms")), third::toString);
        assertTrue(roomOf(third, fresh).path("initial").asBoolean(), "a room new on the connection is initial");

        JsonNode nothing = client.sync(alice, third.path("pos").asText(), body);
        assertTrue(nothing.path("rooms").isEmpty(), nothing::toString);
        assertEquals(3, nothing.path("lists").path("l").path("count").asInt());
    }

    @Test
    void aRoomOutOfRangeThatChangedComesBackWithWhatItMissed() {
        TestUser alice = user("alice");
        String old = client.createRoom(alice, "{}");
        String newer = client.createRoom(alice, "{}");
        ObjectNode top = listBody("l", 0, 5, "[]");
        JsonNode first = client.sync(alice, null, listBody("l", 1, 5, "[]"));
        assertEquals(List.of(newer, old), listRooms(first, "l"));

        // Only the top room is in view while old gets a message, then old is bumped on top again.
        JsonNode second = client.sync(alice, first.path("pos").asText(), top);
        client.send(alice, old, "missed while out of view");
        client.send(alice, newer, "keep newer on top");
        JsonNode third = client.sync(alice, second.path("pos").asText(), top);
        assertEquals(List.of(newer), listRooms(third, "l"));
        client.send(alice, old, "back on top");
        JsonNode fourth = client.sync(alice, third.path("pos").asText(), top);
        assertEquals(List.of(old), listRooms(fourth, "l"));
        assertEquals(List.of("missed while out of view", "back on top"), bodies(fourth, old), fourth::toString);
        assertFalse(roomOf(fourth, old).has("initial"), fourth::toString);
    }

    @Test
    void aRejectedInviteIsSentWithTheLeaveThenLeavesTheList() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String roomId = client.createRoom(alice, "{}");
        client.invite(alice, roomId, bob);
        ObjectNode body = listBody("l", 9, 5, "[]");
        JsonNode invited = client.sync(bob, null, body);
        assertTrue(roomOf(invited, roomId).has("invite_state"), invited::toString);

        client.ok(bob, "POST", SlidingClient.room(roomId) + "/leave", obj());
        JsonNode rejected = client.sync(bob, invited.path("pos").asText(), body);
        JsonNode leave = roomOf(rejected, roomId).path("timeline").path(0);
        assertEquals("leave", leave.path("content").path("membership").asText(), rejected::toString);
        assertEquals(bob.userId(), leave.path("state_key").asText());
        assertFalse(roomOf(rejected, roomId).has("invite_state"), rejected::toString);

        JsonNode after = client.sync(bob, rejected.path("pos").asText(), body);
        assertEquals(0, after.path("lists").path("l").path("count").asInt(), after::toString);
        assertEquals(List.of(), listRooms(after, "l"));
    }

    @Test
    void roomSubscriptionsSendTheRoomsTheUserMaySee() {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String subscribed = client.createRoom(alice, "{}");
        client.send(alice, subscribed, "hello");
        client.createRoom(alice, "{}");
        String bobs = client.createRoom(bob, "{}");
        ObjectNode body = listBody("l", 0, 1, "[]");
        ObjectNode subscriptions = body.putObject("room_subscriptions");
        subscriptions.putObject(subscribed).put("timeline_limit", 2).putArray("required_state").addArray()
                .add("m.room.create").add("");
        subscriptions.putObject(bobs).put("timeline_limit", 2).putArray("required_state");

        JsonNode response = client.sync(alice, null, body);
        assertTrue(response.path("rooms").has(subscribed), response::toString);
        assertFalse(response.path("rooms").has(bobs), "a room alice is not in is not sent");
        assertEquals(List.of("hello"), bodies(response, subscribed));
        assertEquals(List.of("m.room.create|"), stateKeys(response, subscribed));
    }

    @Test
    void aWaitingRequestReturnsWithTheMessage() throws Exception {
        TestUser alice = user("alice");
        TestUser bob = user("bob");
        String roomId = client.sharedRoom(alice, bob);
        ObjectNode body = listBody("l", 9, 5, "[]");
        String pos = client.sync(bob, null, body).path("pos").asText();

        CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(
                () -> client.request(bob, pos, 30_000, body), THREADS);
        Thread.sleep(300); // let it wait; it must see the message either way
        String eventId = client.send(alice, roomId, "wake up");
        HttpResponse<String> r = waiting.get(60, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r::body);
        JsonNode response = TestHomeserver.json(r);
        assertEquals(eventId, roomOf(response, roomId).path("timeline").path(0).path("event_id").asText(),
                response::toString);
    }

    @Test
    void aWaitingRequestWithNothingNewReturnsEmptyAfterItsTimeout() {
        TestUser alice = user("alice");
        client.createRoom(alice, "{}");
        ObjectNode body = listBody("l", 9, 5, "[]");
        String pos = client.sync(alice, null, body).path("pos").asText();
        HttpResponse<String> r = client.request(alice, pos, 300, body);
        assertEquals(200, r.statusCode(), r::body);
        JsonNode response = TestHomeserver.json(r);
        assertTrue(response.path("rooms").isEmpty(), r::body);
        assertFalse(response.path("pos").asText().isEmpty());
    }

    @Test
    void anUnknownOrSupersededPositionIsUnknownPos() {
        TestUser alice = user("alice");
        client.createRoom(alice, "{}");
        ObjectNode body = listBody("l", 9, 1, "[]");
        String first = client.sync(alice, null, body).path("pos").asText();
        client.send(alice, client.createRoom(alice, "{}"), "new");
        String second = client.sync(alice, first, body).path("pos").asText();
        client.sync(alice, second, body);

        HttpResponse<String> superseded = client.request(alice, first, 0, body);
        assertEquals(400, superseded.statusCode(), superseded::body);
        assertEquals("M_UNKNOWN_POS", TestHomeserver.json(superseded).path("errcode").asText());

        String stream = first.substring(first.indexOf('/') + 1);
        HttpResponse<String> unknown = client.request(alice, "987654/" + stream, 0, body);
        assertEquals("M_UNKNOWN_POS", TestHomeserver.json(unknown).path("errcode").asText(), unknown::body);

        HttpResponse<String> ahead = client.request(alice, "0/s999999999_0_0_0_0_0_0", 0, body);
        assertEquals("M_UNKNOWN_POS", TestHomeserver.json(ahead).path("errcode").asText(), ahead::body);

        HttpResponse<String> garbage = client.request(alice, "not-a-pos", 0, body);
        assertEquals(400, garbage.statusCode());
        assertEquals("M_UNKNOWN", TestHomeserver.json(garbage).path("errcode").asText(), garbage::body);

        // Another connection of the same device is another conn_id: its positions are its own.
        ObjectNode other = body.deepCopy().put("conn_id", "other");
        HttpResponse<String> elsewhere = client.request(alice, second, 0, other);
        assertEquals("M_UNKNOWN_POS", TestHomeserver.json(elsewhere).path("errcode").asText(), elsewhere::body);
    }

    @Test
    void badBodiesAreBadJson() {
        TestUser alice = user("alice");
        for (String bad : List.of("[]", "{\"lists\": {\"l\": {\"ranges\": [[0, 1]]}}}",
                "{\"lists\": {\"l\": {\"ranges\": [[0, -1]], \"timeline_limit\": 1, \"required_state\": []}}}",
                "{\"lists\": {\"l\": {\"timeline_limit\": 1001, \"required_state\": []}}}",
                "{\"lists\": {\"l\": {\"timeline_limit\": \"1\", \"required_state\": []}}}",
                "{\"lists\": {\"l\": {\"timeline_limit\": 1, \"required_state\": [[\"a\"]]}}}",
                "{\"room_subscriptions\": {\"!r:x\": {\"timeline_limit\": 1}}}",
                "{\"lists\": {\"l\": {\"timeline_limit\": 1, \"required_state\": [], \"filters\": {\"is_dm\": 1}}}}",
                "{\"extensions\": {\"to_device\": {\"enabled\": true, \"since\": \"abc\"}}}",
                "{\"conn_id\": 5}")) {
            HttpResponse<String> r = client.call(alice, "POST", SlidingClient.SLIDING, bad);
            assertEquals(400, r.statusCode(), () -> bad + ": " + r.body());
            assertEquals("M_BAD_JSON", TestHomeserver.json(r).path("errcode").asText(), () -> bad + ": " + r.body());
        }
        HttpResponse<String> notJson = client.call(alice, "POST", SlidingClient.SLIDING, null);
        assertEquals("M_NOT_JSON", TestHomeserver.json(notJson).path("errcode").asText(), notJson::body);
    }

    static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
