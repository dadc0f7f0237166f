package org.myelin.server.client.capabilities;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CapabilitiesIT {

    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    @Test
    void advertisesWhatUsersMayChangeAndRoomVersionsOneToTwelve() {
        TestUser alice = hs.registerUser("alice");
        HttpResponse<String> response = hs.authed(alice.accessToken(), "GET", "/_matrix/client/v3/capabilities", null);
        assertEquals(200, response.statusCode(), response.body());
        JsonNode c = TestHomeserver.json(response).get("capabilities");
        assertEquals(true, c.at("/m.change_password/enabled").asBoolean());
        assertEquals(true, c.at("/m.set_displayname/enabled").asBoolean());
        assertEquals(true, c.at("/m.set_avatar_url/enabled").asBoolean());
        assertEquals(true, c.at("/m.profile_fields/enabled").asBoolean());
        assertEquals(false, c.at("/m.3pid_changes/enabled").asBoolean(true));
        assertEquals(false, c.at("/m.get_login_token/enabled").asBoolean(true));
        assertEquals("12", c.at("/m.room_versions/default").asText());
        JsonNode available = c.at("/m.room_versions/available");
        assertEquals(12, available.size());
        for (int v = 1; v <= 12; v++) {
            assertEquals("stable", available.path(String.valueOf(v)).asText(), "room version " + v);
        }
        assertEquals(7, c.size(), c::toString);
    }

    /** {@code default_room_version}: for organisations federating with servers older than version 12. */
    @Test
    void theConfiguredDefaultRoomVersionIsAdvertisedAndUsed() {
        try (TestHomeserver older = TestHomeserver.builder().configure(c -> c.withDefaultRoomVersion("10")).start()) {
            TestUser bob = older.registerUser("bob");
            JsonNode c = older.expect(200, bob, "GET", "/_matrix/client/v3/capabilities", null).get("capabilities");
            assertEquals("10", c.at("/m.room_versions/default").asText());
            String roomId = older.expect(200, bob, "POST", "/_matrix/client/v3/createRoom", "{}").path("room_id").asText();
            assertEquals("10", older.expect(200, bob, "GET", "/_matrix/client/v3/rooms/" + TestHomeserver.enc(roomId)
                    + "/state/m.room.create/", null).path("room_version").asText());
            String newer = older.expect(200, bob, "POST", "/_matrix/client/v3/createRoom", "{\"room_version\":\"12\"}")
                    .path("room_id").asText();
            assertEquals("12", older.expect(200, bob, "GET", "/_matrix/client/v3/rooms/" + TestHomeserver.enc(newer)
                    + "/state/m.room.create/", null).path("room_version").asText(), "asked for, not the default");
        }
    }

    @Test
    void needsAnAccessToken() {
        HttpResponse<String> response = hs.get("/_matrix/client/v3/capabilities");
        assertEquals(401, response.statusCode());
        assertEquals("M_MISSING_TOKEN", TestHomeserver.json(response).path("errcode").asText());
    }
}
