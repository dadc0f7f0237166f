package org.myelin.server.client.rooms;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.rooms.Rooms.enc;
import static org.myelin.server.client.rooms.Rooms.obj;
import static org.myelin.server.client.rooms.Rooms.room;

/** {@code /messages}, {@code /context}, {@code /timestamp_to_event}: paging, filters, history visibility. */
class TimelineIT {

    static TestHomeserver hs;
    static Rooms rooms;
    static TestUser alice;
    static TestUser bob;
    static TestUser carol;
    static TestUser eve;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        rooms = new Rooms(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        carol = hs.registerUser("carol");
        eve = hs.registerUser("eve");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    /** Every event id /messages gives {@code user}, paging with {@code limit} until there is no {@code end}. */
    static List<String> pageAll(TestUser user, String roomId, String dir, int limit, String filter) {
        List<String> ids = new ArrayList<>();
        String from = null;
        for (int pages = 0; pages < 10_000; pages++) {
            String query = "?dir=" + dir + "&limit=" + limit + (from == null ? "" : "&from=" + enc(from))
                    + (filter == null ? "" : "&filter=" + enc(filter));
            JsonNode page = rooms.ok(user, "GET", room(roomId) + "/messages" + query, null);
            page.path("chunk").forEach(e -> ids.add(e.path("event_id").asText()));
            if (!page.has("end")) {
                return ids;
            }
            assertFalse(page.path("end").asText().equals(from), "paging must move on");
            from = page.path("end").asText();
        }
        throw new AssertionError("did not reach the end");
    }

    static List<String> bodies(TestUser user, String roomId) {
        List<String> bodies = new ArrayList<>();
        JsonNode page = rooms.ok(user, "GET", room(roomId) + "/messages?dir=f&limit=1000", null);
        page.path("chunk").forEach(e -> {
            if (e.path("type").asText().equals("m.room.message")) {
                bodies.add(e.path("content").path("body").asText());
            }
        });
        return bodies;
    }

    @Test
    void pagingOverThousandsOfEventsNeverSkipsOrRepeats() throws Exception {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        int perSender = 1050;
        Set<String> sent = ConcurrentSet.create();
        try (ExecutorService senders = Executors.newFixedThreadPool(2)) {
            List<Future<?>> done = new ArrayList<>();
            for (TestUser sender : List.of(alice, bob)) {
                done.add(senders.submit(() -> {
                    for (int i = 0; i < perSender; i++) {
                        sent.add(rooms.send(sender, roomId, sender.userId() + " " + i));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertEquals(2 * perSender, sent.size());

        List<String> backwards = pageAll(alice, roomId, "b", 97, null);
        List<String> forwards = pageAll(alice, roomId, "f", 89, null);
        assertEquals(new HashSet<>(backwards).size(), backwards.size(), "no event twice going backwards");
        assertEquals(new HashSet<>(forwards).size(), forwards.size(), "no event twice going forwards");
        assertTrue(backwards.containsAll(sent), "every message going backwards");
        assertEquals(backwards, forwards.reversed(), "both directions see the same timeline");
        assertEquals(2 * perSender + 6, forwards.size(), "the messages, the 5 events of creation and bob's join");

        List<String> aliceOnly = pageAll(alice, roomId, "b", 250,
                "{\"senders\":[\"" + alice.userId() + "\"],\"types\":[\"m.room.mess*\"]}");
        assertEquals(perSender, aliceOnly.size());
        assertTrue(sent.containsAll(aliceOnly));
    }

    @Test
    void fromAndToBoundAPageAndTokensContinueWithoutGaps() {
        String roomId = rooms.create(alice, "{}");
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(rooms.send(alice, roomId, "m" + i));
        }
        JsonNode newest = rooms.ok(alice, "GET", room(roomId) + "/messages?dir=b&limit=3", null);
        assertEquals(List.of(sent.get(9), sent.get(8), sent.get(7)), ids(newest));
        JsonNode next = rooms.ok(alice, "GET", room(roomId) + "/messages?dir=b&limit=3&from="
                + enc(newest.path("end").asText()), null);
        assertEquals(List.of(sent.get(6), sent.get(5), sent.get(4)), ids(next));
        JsonNode back = rooms.ok(alice, "GET", room(roomId) + "/messages?dir=f&limit=5&from="
                + enc(next.path("end").asText()) + "&to=" + enc(newest.path("end").asText()), null);
        assertEquals(List.of(sent.get(4), sent.get(5), sent.get(6)), ids(back), "forwards up to 'to' only");
        JsonNode notLimited = rooms.ok(alice, "GET", room(roomId) + "/messages?dir=f&limit=50&from="
                + enc(newest.path("end").asText()), null);
        assertEquals(List.of(sent.get(7), sent.get(8), sent.get(9)), ids(notLimited));
        assertFalse(notLimited.has("end"), "nothing further");

        rooms.fails(400, "M_INVALID_PARAM", alice, "GET", room(roomId) + "/messages?limit=3", null);
        rooms.fails(400, "M_INVALID_PARAM", alice, "GET", room(roomId) + "/messages?dir=b&from=garbage", null);
        rooms.fails(400, "M_NOT_JSON", alice, "GET", room(roomId) + "/messages?dir=b&filter=" + enc("{nope"), null);
        rooms.fails(403, "M_FORBIDDEN", eve, "GET", room(roomId) + "/messages?dir=b", null);
        rooms.fails(404, "M_NOT_FOUND", eve, "GET", room("!nope:" + hs.serverName()) + "/messages?dir=b", null);
    }

    @Test
    void filtersAndLazyLoadedMembers() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        rooms.send(alice, roomId, "from alice");
        rooms.send(bob, roomId, "from bob");
        rooms.ok(bob, "PUT", room(roomId) + "/send/org.example.ping/p1", obj());
        JsonNode page = rooms.ok(alice, "GET", room(roomId) + "/messages?dir=b&limit=2&filter="
                + enc("{\"not_types\":[\"org.example.*\"],\"not_senders\":[\"" + alice.userId()
                + "\"],\"lazy_load_members\":true}"), null);
        assertEquals(2, page.path("chunk").size());
        assertEquals("from bob", page.path("chunk").path(0).path("content").path("body").asText());
        assertEquals("m.room.member", page.path("chunk").path(1).path("type").asText());
        assertEquals(1, page.path("state").size());
        assertEquals(bob.userId(), page.path("state").path(0).path("state_key").asText());
        JsonNode none = rooms.ok(alice, "GET", room(roomId) + "/messages?dir=b&filter=" + enc("{\"types\":[]}"), null);
        assertEquals(0, none.path("chunk").size());
    }

    @Test
    void historyVisibilityDecidesWhatLaterMembersSee() {
        String joinedOnly = rooms.create(alice, "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.history_visibility\",\"content\":{\"history_visibility\":\"joined\"}}]}");
        String early = rooms.send(alice, joinedOnly, "before bob");
        rooms.join(bob, joinedOnly);
        rooms.send(alice, joinedOnly, "with bob");
        assertEquals(List.of("with bob"), bodies(bob, joinedOnly));
        rooms.fails(404, "M_NOT_FOUND", bob, "GET", room(joinedOnly) + "/event/" + enc(early), null);
        rooms.fails(403, "M_FORBIDDEN", bob, "GET", room(joinedOnly) + "/context/" + enc(early), null);
        rooms.leave(bob, joinedOnly);
        rooms.send(alice, joinedOnly, "after bob");
        assertEquals(List.of("with bob"), bodies(bob, joinedOnly), "nothing after leaving");

        String shared = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.send(alice, shared, "old news");
        rooms.invite(alice, shared, carol);
        rooms.fails(403, "M_FORBIDDEN", carol, "GET", room(shared) + "/messages?dir=b", null);
        rooms.join(carol, shared);
        assertEquals(List.of("old news"), bodies(carol, shared), "shared history is for members");

        String invited = rooms.create(alice, "{\"initial_state\":[{\"type\":\"m.room.history_visibility\","
                + "\"content\":{\"history_visibility\":\"invited\"}}]}");
        rooms.send(alice, invited, "before invite");
        rooms.invite(alice, invited, carol);
        rooms.send(alice, invited, "while invited");
        rooms.join(carol, invited);
        assertEquals(List.of("while invited"), bodies(carol, invited));

        String open = rooms.create(alice, "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.history_visibility\",\"content\":{\"history_visibility\":\"world_readable\"}}]}");
        rooms.send(alice, open, "for everyone");
        assertEquals(List.of("for everyone"), bodies(eve, open), "world readable needs no membership");
    }

    @Test
    void contextGivesNeighboursStateAndTokens() {
        String roomId = rooms.create(alice, "{\"name\":\"ctx\"}");
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            sent.add(rooms.send(alice, roomId, "c" + i));
        }
        JsonNode context = rooms.ok(alice, "GET", room(roomId) + "/context/" + enc(sent.get(4)) + "?limit=4", null);
        assertEquals(sent.get(4), context.path("event").path("event_id").asText());
        assertEquals(List.of(sent.get(3), sent.get(2)), ids(context, "events_before"));
        assertEquals(List.of(sent.get(5), sent.get(6)), ids(context, "events_after"));
        Set<String> stateTypes = new HashSet<>();
        context.path("state").forEach(e -> stateTypes.add(e.path("type").asText()));
        assertTrue(stateTypes.containsAll(Set.of("m.room.create", "m.room.name", "m.room.member")), stateTypes.toString());
        JsonNode earlier = rooms.ok(alice, "GET", room(roomId) + "/messages?dir=b&limit=2&from="
                + enc(context.path("start").asText()), null);
        assertEquals(List.of(sent.get(1), sent.get(0)), ids(earlier));
        JsonNode later = rooms.ok(alice, "GET", room(roomId) + "/messages?dir=f&limit=2&from="
                + enc(context.path("end").asText()), null);
        assertEquals(List.of(sent.get(7), sent.get(8)), ids(later));
        rooms.fails(404, "M_NOT_FOUND", alice, "GET", room(roomId) + "/context/" + enc("$missing"), null);
    }

    @Test
    void timestampToEventFindsTheClosestEventEachWay() {
        String roomId = rooms.create(alice, "{}");
        String first = rooms.send(alice, roomId, "t0");
        long ts = rooms.event(alice, roomId, first).path("origin_server_ts").asLong();
        String path = "/_matrix/client/v1/rooms/" + enc(roomId) + "/timestamp_to_event";
        JsonNode forwards = rooms.ok(alice, "GET", path + "?dir=f&ts=" + ts, null);
        assertTrue(forwards.path("origin_server_ts").asLong() >= ts);
        JsonNode backwards = rooms.ok(alice, "GET", path + "?dir=b&ts=" + ts, null);
        assertTrue(backwards.path("origin_server_ts").asLong() <= ts);
        rooms.fails(404, "M_NOT_FOUND", alice, "GET", path + "?dir=f&ts=" + (ts + 86_400_000L), null);
        JsonNode beforeAll = rooms.ok(alice, "GET", path + "?dir=f&ts=0", null);
        assertEquals("m.room.create", rooms.event(alice, roomId, beforeAll.path("event_id").asText()).path("type").asText());
        rooms.fails(400, "M_MISSING_PARAM", alice, "GET", path + "?dir=f", null);
        rooms.fails(400, "M_INVALID_PARAM", alice, "GET", path + "?dir=x&ts=1", null);
        rooms.fails(403, "M_FORBIDDEN", eve, "GET", path + "?dir=f&ts=0", null);
    }

    static List<String> ids(JsonNode page) {
        return ids(page, "chunk");
    }

    static List<String> ids(JsonNode body, String field) {
        List<String> ids = new ArrayList<>();
        body.path(field).forEach(e -> ids.add(e.path("event_id").asText()));
        return ids;
    }

    /** A thread-safe set. */
    static final class ConcurrentSet {
        static Set<String> create() {
            return java.util.concurrent.ConcurrentHashMap.newKeySet();
        }
    }
}
