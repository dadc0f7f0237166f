package org.myelin.server.client.search;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.myelin.server.testing.TestHomeserver.enc;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /search}: words found in the messages, names and topics of the rooms one is in,
 * with English stemming, best or newest first, page by page, with context; never in rooms one
 * is not in, in history one may not see, or in redacted events.
 */
class SearchIT {

    static final String V3 = "/_matrix/client/v3";
    static TestHomeserver hs;
    static TestUser alice;
    static TestUser bob;
    static TestUser carol;
    static String room;
    static String quickFox;
    static String foxesClever;
    static String lazyDogs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        carol = hs.registerUser("carol");
        hs.expect(200, alice, "PUT", V3 + "/profile/" + enc(alice.userId()) + "/displayname", "{\"displayname\":\"Alice A\"}");
        room = hs.expect(200, alice, "POST", V3 + "/createRoom",
                "{\"preset\":\"public_chat\",\"name\":\"Fox den\",\"topic\":\"all about animals\"}").path("room_id").asText();
        hs.expect(200, bob, "POST", V3 + "/join/" + enc(room), "{}");
        quickFox = say(alice, room, "the quick brown fox jumps");
        say(bob, room, "nothing to see here");
        lazyDogs = say(alice, room, "lazy dogs sleep all day");
        foxesClever = say(bob, room, "foxes are clever animals");
        String carols = hs.expect(200, carol, "POST", V3 + "/createRoom", "{}").path("room_id").asText();
        say(carol, carols, "a fox in carol's own room");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }



    static String say(TestUser user, String roomId, String body) {
        return hs.expect(200, user, "PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/" + UUID.randomUUID(),
                "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}").path("event_id").asText();
    }

    static JsonNode search(TestUser user, String roomEvents) {
        return search(user, roomEvents, null);
    }

    static JsonNode search(TestUser user, String roomEvents, String nextBatch) {
        return hs.expect(200, user, "POST", V3 + "/search" + (nextBatch == null ? "" : "?next_batch=" + enc(nextBatch)),
                "{\"search_categories\":{\"room_events\":" + roomEvents + "}}").path("search_categories").path("room_events");
    }

    static List<String> ids(JsonNode roomEvents) {
        List<String> ids = new ArrayList<>();
        roomEvents.path("results").forEach(r -> ids.add(r.path("result").path("event_id").asText()));
        return ids;
    }

    @Test
    void findsWordsWithTheirStemsInMessagesNamesAndTopicsOfOnesRooms() {
        JsonNode found = search(alice, "{\"search_term\":\"fox\"}");
        List<String> ids = ids(found);
        assertTrue(ids.contains(quickFox) && ids.contains(foxesClever), found.toString());
        assertTrue(found.path("results").toString().contains("Fox den"), "the room name: " + found);
        assertFalse(found.toString().contains("carol's own room"), "not a room alice is in");
        assertEquals(List.of("fox"), List.of(found.path("highlights").get(0).asText()));
        assertEquals(3, found.path("count").asLong());
        assertTrue(found.path("results").get(0).path("rank").isNumber());

        List<String> bodies = ids(search(alice, "{\"search_term\":\"fox\",\"keys\":[\"content.body\"]}"));
        assertEquals(2, bodies.size(), "messages only");
        assertTrue(search(alice, "{\"search_term\":\"animals\",\"keys\":[\"content.topic\"]}").path("results")
                .get(0).path("result").path("type").asText().equals("m.room.topic"));
    }

    @Test
    void newestFirstPageByPage() {
        String body = "{\"search_term\":\"fox\",\"keys\":[\"content.body\"],\"order_by\":\"recent\","
                + "\"filter\":{\"limit\":1}}";
        JsonNode first = search(alice, body);
        assertEquals(List.of(foxesClever), ids(first));
        assertEquals("1", first.path("next_batch").asText());
        JsonNode second = search(alice, body, first.path("next_batch").asText());
        assertEquals(List.of(quickFox), ids(second));
        assertTrue(second.path("next_batch").isMissingNode(), second.toString());
    }

    @Test
    void givesTheEventsAroundEachResultWithProfiles() {
        JsonNode found = search(alice, "{\"search_term\":\"quick\",\"event_context\":{\"before_limit\":1,"
                + "\"after_limit\":1,\"include_profile\":true}}");
        JsonNode context = found.path("results").get(0).path("context");
        assertEquals(1, context.path("events_after").size());
        assertEquals("nothing to see here", context.path("events_after").get(0).path("content").path("body").asText());
        assertEquals(1, context.path("events_before").size());
        assertTrue(context.path("start").isTextual() && context.path("end").isTextual());
        assertEquals("Alice A", context.path("profile_info").path(alice.userId()).path("displayname").asText());
    }

    @Test
    void filtersByRoomAndSender() {
        assertEquals(List.of(foxesClever), ids(search(alice, "{\"search_term\":\"fox\",\"keys\":[\"content.body\"],"
                + "\"filter\":{\"senders\":[\"" + bob.userId() + "\"]}}")));
        assertEquals(0, search(alice, "{\"search_term\":\"fox\",\"filter\":{\"not_rooms\":[\"" + room + "\"]}}")
                .path("results").size());
    }

    @Test
    void aRedactedMessageIsNotFound() {
        String doomed = say(alice, room, "ephemeral zebra sighting");
        assertEquals(List.of(doomed), ids(search(alice, "{\"search_term\":\"zebra\"}")));
        hs.expect(200, alice, "PUT", V3 + "/rooms/" + enc(room) + "/redact/" + enc(doomed) + "/" + UUID.randomUUID(), "{}");
        assertEquals(List.of(), ids(search(alice, "{\"search_term\":\"zebra\"}")));
    }

    @Test
    void historyOneMayNotSeeIsNotFound() {
        String secret = hs.expect(200, alice, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\",\"initial_state\":"
                + "[{\"type\":\"m.room.history_visibility\",\"state_key\":\"\",\"content\":{\"history_visibility\":"
                + "\"joined\"}}]}").path("room_id").asText();
        say(alice, secret, "before carol: the password is swordfish");
        hs.expect(200, carol, "POST", V3 + "/join/" + enc(secret), "{}");
        String after = say(alice, secret, "after carol joined: swordfish is gone");
        assertEquals(List.of(after), ids(search(carol, "{\"search_term\":\"swordfish\"}")));
        assertEquals(2, ids(search(alice, "{\"search_term\":\"swordfish\"}")).size());
    }

    @Test
    void theWordsAreLookedUpInTheIndexNotReadFromEveryEvent() throws Exception {
        // Whatever the planner prefers on a table this small: the index must fit the query's
        // expression, or every search reads every event.
        try (java.sql.Connection c = hs.homeserver().database().dataSource().getConnection();
             java.sql.Statement st = c.createStatement()) {
            st.execute("SET enable_seqscan = off");
            StringBuilder plan = new StringBuilder();
            try (java.sql.ResultSet rs = st.executeQuery("EXPLAIN SELECT e.event_id FROM events e "
                    + "CROSS JOIN websearch_to_tsquery('english', 'fox') q "
                    + "WHERE " + org.myelin.storage.search.EventSearchRepository.VECTOR + " @@ q")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertTrue(plan.toString().contains("events_search"), plan.toString());
        }
    }

    @Test
    void refusesBadRequests() {
        assertEquals("M_MISSING_PARAM", hs.expect(400, alice, "POST", V3 + "/search", "{}").path("errcode").asText());
        assertEquals("M_MISSING_PARAM", hs.expect(400, alice, "POST", V3 + "/search",
                "{\"search_categories\":{\"room_events\":{}}}").path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, alice, "POST", V3 + "/search",
                "{\"search_categories\":{\"room_events\":{\"search_term\":\"x\",\"order_by\":\"random\"}}}")
                .path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, alice, "POST", V3 + "/search",
                "{\"search_categories\":{\"room_events\":{\"search_term\":\"x\",\"keys\":[\"content.url\"]}}}")
                .path("errcode").asText());
        assertEquals("M_NOT_JSON", hs.expect(400, alice, "POST", V3 + "/search", "{").path("errcode").asText());
        assertEquals("M_MISSING_TOKEN", hs.expect(401, null, "POST", V3 + "/search",
                "{\"search_categories\":{}}").path("errcode").asText());
        assertEquals(0, hs.expect(200, alice, "POST", V3 + "/search", "{\"search_categories\":{}}")
                .path("search_categories").size());
    }
}
