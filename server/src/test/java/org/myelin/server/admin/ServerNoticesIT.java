package org.myelin.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/** Server notices (Synapse's admin API, "Server Notices") as the user who gets them sees them. */
class ServerNoticesIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final String SEND = "/_synapse/admin/v1/send_server_notice";
    private static TestHomeserver hs;
    private static TestUser admin;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder().configure(c -> c.withServerNotices(
                new HomeserverConfig.ServerNotices("notices", "Server Notices Bot", null, "Notices from the admins")))
                .start();
        admin = Admins.admin(hs, "admin");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String notice(String userId, String body) {
        return "{\"user_id\":\"" + userId + "\",\"content\":{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}}";
    }

    @Test
    void aNoticeArrivesInTheUsersOwnNoticesRoom() {
        TestUser quinn = hs.registerUser("quinn");
        String first = hs.expect(200, admin, "POST", SEND, notice(quinn.userId(), "Maintenance tonight"))
                .path("event_id").asText();
        assertTrue(first.startsWith("$"));

        JsonNode invites = hs.expect(200, quinn, "GET", V3 + "/sync?timeout=0", null).path("rooms").path("invite");
        assertEquals(1, invites.size());
        String roomId = invites.fieldNames().next();
        assertTrue(invites.path(roomId).toString().contains("Notices from the admins"));
        hs.expect(200, quinn, "POST", V3 + "/join/" + enc(roomId), "{}");
        String system = "@notices:" + hs.serverName();
        JsonNode messages = hs.expect(200, quinn, "GET", V3 + "/rooms/" + enc(roomId) + "/messages?dir=b&limit=50",
                null);
        assertTrue(messages.toString().contains("Maintenance tonight"), messages.toString());
        JsonNode tags = hs.expect(200, quinn, "GET", V3 + "/user/" + enc(quinn.userId()) + "/rooms/" + enc(roomId)
                + "/tags", null);
        assertTrue(tags.path("tags").has("m.server_notice"), tags.toString());
        assertEquals("Server Notices Bot", hs.expect(200, quinn, "GET", V3 + "/profile/" + enc(system) + "/displayname",
                null).path("displayname").asText());
        assertEquals(403, hs.authed(quinn.accessToken(), "PUT", V3 + "/rooms/" + enc(roomId)
                + "/send/m.room.message/1", "{\"msgtype\":\"m.text\",\"body\":\"reply\"}").statusCode(),
                "the user cannot write in it");

        // The next notice goes to the same room.
        String second = hs.expect(200, admin, "POST", SEND, notice(quinn.userId(), "Done")).path("event_id").asText();
        assertEquals(roomId, hs.expect(200, quinn, "GET", V3 + "/rooms/" + enc(roomId) + "/event/" + enc(second), null)
                .path("room_id").asText());
        // A state notice, when asked.
        hs.expect(200, admin, "POST", SEND, "{\"user_id\":\"" + quinn.userId() + "\",\"type\":\"m.room.topic\","
                + "\"state_key\":\"\",\"content\":{\"topic\":\"Read me\"}}");
        assertEquals("Read me", hs.expect(200, quinn, "GET", V3 + "/rooms/" + enc(roomId) + "/state/m.room.topic/",
                null).path("topic").asText());

        // After leaving, a new notice makes a new room.
        hs.expect(200, quinn, "POST", V3 + "/rooms/" + enc(roomId) + "/leave", "{}");
        String third = hs.expect(200, admin, "POST", SEND, notice(quinn.userId(), "Again")).path("event_id").asText();
        assertFalse(third.isEmpty());
        JsonNode again = hs.expect(200, quinn, "GET", V3 + "/sync?timeout=0", null).path("rooms").path("invite");
        assertEquals(1, again.size());
        assertFalse(again.has(roomId));
    }

    @Test
    void badNoticesAreRefused() {
        TestUser plain = hs.registerUser("notice-plain");
        assertEquals(403, hs.authed(plain.accessToken(), "POST", SEND, notice(plain.userId(), "x")).statusCode());
        assertEquals(400, hs.authed(admin.accessToken(), "POST", SEND, notice("@x:elsewhere.example", "x"))
                .statusCode());
        assertEquals(404, hs.authed(admin.accessToken(), "POST", SEND, notice("@nobody:" + hs.serverName(), "x"))
                .statusCode());
        assertEquals("M_MISSING_PARAM", hs.expect(400, admin, "POST", SEND, "{\"user_id\":\"" + plain.userId() + "\"}")
                .path("errcode").asText());
    }

    @Test
    void withoutServerNoticesConfiguredSendingIsRefused() {
        try (TestHomeserver off = TestHomeserver.start()) {
            TestUser offAdmin = Admins.admin(off, "admin");
            TestUser someone = off.registerUser("someone");
            JsonNode refused = off.expect(400, offAdmin, "POST", SEND, notice(someone.userId(), "x"));
            assertEquals("Server notices are not enabled on this server", refused.path("error").asText());
        }
    }
}
