package org.myelin.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * U+0000 and unpaired surrogates from clients: event content holding U+0000 round-trips (as other
 * servers keep it) and breaks no read of the room; other data holding it is refused with 400
 * M_BAD_JSON, as are unpaired surrogates anywhere, which UTF-8 cannot encode.
 */
class NulInStringsIT {

    private static final String V3 = "/_matrix/client/v3";
    private static TestHomeserver hs;
    private static TestUser alice;
    private static TestUser victim;
    private static String roomId;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        alice = hs.registerUser("alice");
        victim = hs.registerUser("victim");
        roomId = hs.expect(200, alice, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}").path("room_id")
                .asText();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String room() {
        return V3 + "/rooms/" + enc(roomId);
    }

    private static JsonNode sync(TestUser u, String since) {
        return hs.expect(200, u, "GET", V3 + "/sync?timeout=0" + (since == null ? "" : "&since=" + enc(since)), null);
    }

    @Test
    void anInviteWhoseReasonHoldsNulLeavesTheInviteesSyncWorkingAfterTheyLeave() {
        hs.expect(200, alice, "POST", room() + "/invite",
                "{\"user_id\":\"" + victim.userId() + "\",\"reason\":\"hi\\u0000\"}");
        JsonNode invited = sync(victim, null);
        assertTrue(invited.path("rooms").path("invite").path(roomId).toString().contains("hi\\u0000"),
                invited.toString());
        String since = invited.path("next_batch").asText();
        hs.expect(200, victim, "POST", room() + "/leave", "{\"reason\":\"bye\\u0000\"}");
        sync(victim, null);
        sync(victim, since);
        hs.expect(200, alice, "POST", room() + "/invite", "{\"user_id\":\"" + victim.userId() + "\"}");
        hs.expect(200, alice, "POST", room() + "/kick",
                "{\"user_id\":\"" + victim.userId() + "\",\"reason\":\"out\\u0000\"}");
        sync(victim, null);
        sync(alice, null);
    }

    @Test
    void aMessageHoldingNulRoundTripsAndTheRoomStaysReadable() {
        String body = "{\"msgtype\":\"m.text\",\"body\":\"nul\\u0000here\",\"k\\u0000\":[\"\\u0000\"]}";
        String eventId = hs.expect(200, alice, "PUT", room() + "/send/m.room.message/nul1", body).path("event_id")
                .asText();
        JsonNode event = hs.expect(200, alice, "GET", room() + "/event/" + enc(eventId), null);
        assertEquals("nul\u0000here", event.path("content").path("body").textValue());
        assertEquals("\u0000", event.path("content").path("k\u0000").path(0).textValue());
        hs.expect(200, alice, "PUT", room() + "/state/m.room.topic/", "{\"topic\":\"t\\u0000\"}");
        hs.expect(200, alice, "PUT", room() + "/state/m.room.name/", "{\"name\":\"n\\u0000\"}");
        hs.expect(200, alice, "PUT", room() + "/state/m.room.member/" + enc(alice.userId()),
                "{\"membership\":\"join\",\"displayname\":\"Ali\\u0000ce\"}");

        sync(alice, null);
        JsonNode messages = hs.expect(200, alice, "GET", room() + "/messages?dir=b&limit=50", null);
        assertTrue(messages.toString().contains("nul\\u0000here"));
        hs.expect(200, alice, "GET", room() + "/context/" + enc(eventId), null);
        JsonNode found = hs.expect(200, alice, "POST", V3 + "/search",
                "{\"search_categories\":{\"room_events\":{\"search_term\":\"nul\"}}}");
        assertEquals(eventId, found.path("search_categories").path("room_events").path("results").path(0)
                .path("result").path("event_id").asText(), found.toString());
        TestUser carol = hs.registerUser("carol");
        hs.expect(200, carol, "POST", room() + "/join", "{}");
        JsonNode directory = hs.expect(200, carol, "POST", V3 + "/user_directory/search",
                "{\"search_term\":\"ali\"}");
        assertEquals(alice.userId(), directory.path("results").path(0).path("user_id").asText(), directory.toString());
    }

    @Test
    void nulInAStateKeyOrTypeIsRefused() {
        assertError(hs.authed(alice.accessToken(), "PUT", room() + "/state/org.example/a%00b", "{}"), 400, null);
        assertError(hs.authed(alice.accessToken(), "PUT", room() + "/send/m.%00/nul2", "{}"), 400, null);
        sync(alice, null);
    }

    @Test
    void dataKeptOutsideEventsRefusesNul() {
        String user = V3 + "/user/" + enc(alice.userId());
        String[][] requests = {
                {"PUT", user + "/account_data/org.example", "{\"a\":\"b\\u0000\"}"},
                {"PUT", user + "/rooms/" + enc(roomId) + "/tags/u.x", "{\"n\\u0000\":1}"},
                {"PUT", V3 + "/devices/" + enc(alice.deviceId()), "{\"display_name\":\"d\\u0000\"}"},
                {"PUT", V3 + "/presence/" + enc(alice.userId()) + "/status",
                        "{\"presence\":\"online\",\"status_msg\":\"s\\u0000\"}"},
                {"PUT", V3 + "/profile/" + enc(alice.userId()) + "/displayname", "{\"displayname\":\"a\\u0000\"}"},
                {"POST", room() + "/receipt/m.read/" + enc("$x"), "{\"thread_id\":\"main\\u0000\"}"},
                {"POST", V3 + "/user_directory/search", "{\"search_term\":\"a\\u0000\"}"},
                {"POST", V3 + "/login", "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\","
                        + "\"user\":\"al\\u0000ice\"},\"password\":\"p\"}"},
        };
        for (String[] r : requests) {
            assertError(hs.authed(alice.accessToken(), r[0], r[1], r[2]), 400, "M_BAD_JSON");
        }
        sync(alice, null);
    }

    @Test
    void unpairedSurrogatesAreRefusedEverywhere() {
        String user = V3 + "/user/" + enc(alice.userId());
        String[][] requests = {
                {"PUT", room() + "/send/m.room.message/sur1", "{\"body\":\"\\ud800\"}"},
                {"PUT", room() + "/state/m.room.topic/", "{\"topic\":\"a\\udc00b\"}"},
                {"POST", room() + "/invite", "{\"user_id\":\"" + victim.userId() + "\",\"reason\":\"\\ud83d\"}"},
                {"PUT", user + "/account_data/org.example", "{\"a\":[\"\\ud800\"]}"},
        };
        for (String[] r : requests) {
            assertError(hs.authed(alice.accessToken(), r[0], r[1], r[2]), 400, "M_BAD_JSON");
        }
        sync(alice, null);
    }

    private static void assertError(HttpResponse<String> r, int status, String errcode) {
        assertEquals(status, r.statusCode(), r.body());
        if (errcode != null) {
            assertEquals(errcode, TestHomeserver.json(r).path("errcode").asText(), r.body());
        }
    }
}
