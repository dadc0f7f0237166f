package org.myelin.server.client.presence;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.PipelineRooms;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.PipelineRooms.content;

class PresenceIT {

    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String status(String userId) {
        return "/_matrix/client/v3/presence/" + URLEncoder.encode(userId, StandardCharsets.UTF_8) + "/status";
    }

    private static void assertError(int status, String errcode, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(errcode, TestHomeserver.json(response).path("errcode").asText(), response.body());
    }

    @Test
    void usersSetAndReadTheirOwnPresence() {
        TestUser alice = hs.registerUser("alice");
        HttpResponse<String> put = hs.authed(alice.accessToken(), "PUT", status(alice.userId()),
                "{\"presence\":\"online\",\"status_msg\":\"Making cupcakes\"}");
        assertEquals(200, put.statusCode(), put.body());
        assertEquals("{}", put.body());
        JsonNode now = TestHomeserver.json(hs.authed(alice.accessToken(), "GET", status(alice.userId()), null));
        assertEquals("online", now.path("presence").asText());
        assertEquals("Making cupcakes", now.path("status_msg").asText());
        assertTrue(now.path("currently_active").asBoolean());
        assertTrue(now.path("last_active_ago").asLong(-1) >= 0 && now.path("last_active_ago").asLong() < 60_000, now::toString);

        hs.authed(alice.accessToken(), "PUT", status(alice.userId()), "{\"presence\":\"unavailable\",\"status_msg\":\"brb\"}");
        now = TestHomeserver.json(hs.authed(alice.accessToken(), "GET", status(alice.userId()), null));
        assertEquals("unavailable", now.path("presence").asText());
        assertEquals("brb", now.path("status_msg").asText());
        assertFalse(now.has("currently_active"));

        hs.authed(alice.accessToken(), "PUT", status(alice.userId()), "{\"presence\":\"offline\",\"status_msg\":\"gone\"}");
        now = TestHomeserver.json(hs.authed(alice.accessToken(), "GET", status(alice.userId()), null));
        assertEquals("offline", now.path("presence").asText());
        assertFalse(now.has("status_msg"), "offline carries no status message");
    }

    @Test
    void aNewUserIsOffline() {
        TestUser bob = hs.registerUser("bob");
        HttpResponse<String> r = hs.authed(bob.accessToken(), "GET", status(bob.userId()), null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"presence\":\"offline\"}", r.body());
    }

    @Test
    void onlyOneselfSetsPresenceAndOnlyRoomMatesSeeIt() {
        TestUser carol = hs.registerUser("carol");
        TestUser dave = hs.registerUser("dave");
        assertError(403, "M_FORBIDDEN", hs.authed(dave.accessToken(), "PUT", status(carol.userId()),
                "{\"presence\":\"offline\"}"));
        hs.authed(carol.accessToken(), "PUT", status(carol.userId()), "{\"presence\":\"online\"}");
        assertError(403, "M_FORBIDDEN", hs.authed(dave.accessToken(), "GET", status(carol.userId()), null));

        PipelineRooms rooms = new PipelineRooms(hs);
        String room = rooms.create(carol.userId(), "public");
        rooms.join(room, dave.userId(), content().put("membership", "join"));
        HttpResponse<String> seen = hs.authed(dave.accessToken(), "GET", status(carol.userId()), null);
        assertEquals(200, seen.statusCode(), seen.body());
        assertEquals("online", TestHomeserver.json(seen).path("presence").asText());

        rooms.leave(room, dave.userId());
        assertError(403, "M_FORBIDDEN", hs.authed(dave.accessToken(), "GET", status(carol.userId()), null));
    }

    @Test
    void errors() {
        TestUser erin = hs.registerUser("erin");
        assertError(404, "M_NOT_FOUND", hs.authed(erin.accessToken(), "GET", status("@nobody:" + hs.serverName()), null));
        assertError(403, "M_FORBIDDEN", hs.authed(erin.accessToken(), "GET", status("@someone:remote.example"), null));
        assertError(400, "M_INVALID_PARAM", hs.authed(erin.accessToken(), "GET", status("nobody"), null));
        assertError(400, "M_INVALID_PARAM", hs.authed(erin.accessToken(), "PUT", status(erin.userId()),
                "{\"presence\":\"busy\"}"));
        assertError(400, "M_MISSING_PARAM", hs.authed(erin.accessToken(), "PUT", status(erin.userId()),
                "{\"status_msg\":\"x\"}"));
        assertError(400, "M_INVALID_PARAM", hs.authed(erin.accessToken(), "PUT", status(erin.userId()),
                "{\"presence\":\"online\",\"status_msg\":5}"));
        assertError(401, "M_MISSING_TOKEN", hs.get(status(erin.userId())));
        assertError(401, "M_MISSING_TOKEN", hs.request("PUT", status(erin.userId()), "{\"presence\":\"online\"}"));
    }

    @Test
    void changesAreOnTheStreamForSync() {
        TestUser fay = hs.registerUser("fay");
        PresenceService presence = hs.homeserver().users().presence;
        long before = presence.position();
        hs.authed(fay.accessToken(), "PUT", status(fay.userId()), "{\"presence\":\"online\",\"status_msg\":\"hi\"}");
        assertTrue(presence.position() > before);
        List<PresenceUpdate> updates = presence.since(before, Set.of(fay.userId(), "@other:" + hs.serverName()));
        assertEquals(1, updates.size());
        PresenceUpdate update = updates.getFirst();
        assertEquals(fay.userId(), update.userId());
        assertEquals(presence.position(), update.position());
        assertEquals(PresenceState.ONLINE, update.status().presence());
        assertEquals("hi", update.status().statusMsg());
        assertEquals("m.presence", update.event().type());
        assertEquals(List.of(), presence.since(update.position(), Set.of(fay.userId())));
    }
}
