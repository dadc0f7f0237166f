package org.myelin.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * Account locking and suspension (client-server API, "Server administration"): what the locked or
 * suspended user's client sees, and who may lock or suspend whom.
 */
class AccountLockIT {

    private static final String V3 = "/_matrix/client/v3";
    private static TestHomeserver hs;
    private static TestUser admin;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        admin = Admins.admin(hs, "admin");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String lock(String userId) {
        return "/_matrix/client/v1/admin/lock/" + enc(userId);
    }

    private static String suspend(String userId) {
        return "/_matrix/client/v1/admin/suspend/" + enc(userId);
    }

    @Test
    void aLockedUsersTokensAreRefusedUntilUnlocked() {
        TestUser mia = hs.registerUser("mia");
        assertFalse(hs.expect(200, admin, "GET", lock(mia.userId()), null).path("locked").asBoolean());
        assertTrue(hs.expect(200, admin, "PUT", lock(mia.userId()), "{\"locked\":true}").path("locked").asBoolean());
        JsonNode refused = hs.expect(401, mia, "GET", V3 + "/account/whoami", null);
        assertEquals("M_USER_LOCKED", refused.path("errcode").asText());
        assertTrue(refused.path("soft_logout").asBoolean());
        assertTrue(hs.expect(200, admin, "GET", lock(mia.userId()), null).path("locked").asBoolean());
        assertTrue(hs.expect(200, admin, "GET", "/_synapse/admin/v2/users/" + enc(mia.userId()), null)
                .path("locked").asBoolean());

        hs.expect(200, admin, "PUT", lock(mia.userId()), "{\"locked\":false}");
        hs.expect(200, mia, "GET", V3 + "/account/whoami", null);
        // Synapse's PUT /v2/users/{userId} with locked does the same.
        hs.expect(200, admin, "PUT", "/_synapse/admin/v2/users/" + enc(mia.userId()), "{\"locked\":true}");
        assertEquals("M_USER_LOCKED", hs.expect(401, mia, "GET", V3 + "/sync?timeout=0", null)
                .path("errcode").asText());
        // Logging out is still allowed, as in Synapse; the token is then gone for good.
        hs.expect(200, mia, "POST", V3 + "/logout", "{}");
        hs.expect(200, admin, "PUT", lock(mia.userId()), "{\"locked\":false}");
        assertEquals("M_UNKNOWN_TOKEN", hs.expect(401, mia, "GET", V3 + "/account/whoami", null)
                .path("errcode").asText());
    }

    @Test
    void adminsAreToldTheyMayLockAndSuspend() {
        JsonNode forAdmin = hs.expect(200, admin, "GET", V3 + "/capabilities", null).path("capabilities");
        assertTrue(forAdmin.path("m.account_moderation").path("lock").asBoolean());
        assertTrue(forAdmin.path("m.account_moderation").path("suspend").asBoolean());
        TestUser plain = hs.registerUser("capable");
        assertFalse(hs.expect(200, plain, "GET", V3 + "/capabilities", null).path("capabilities")
                .has("m.account_moderation"));
    }

    @Test
    void whoMayBeLockedOrSuspended() {
        TestUser nora = hs.registerUser("nora");
        TestUser otherAdmin = Admins.admin(hs, "other-admin");
        assertEquals("M_FORBIDDEN", hs.expect(403, nora, "GET", lock(admin.userId()), null).path("errcode").asText());
        assertEquals("M_FORBIDDEN", hs.expect(403, nora, "PUT", suspend(admin.userId()), "{\"suspended\":true}")
                .path("errcode").asText());
        assertEquals(403, hs.authed(admin.accessToken(), "PUT", lock(admin.userId()), "{\"locked\":true}")
                .statusCode(), "not oneself");
        assertEquals(403, hs.authed(admin.accessToken(), "PUT", suspend(otherAdmin.userId()), "{\"suspended\":true}")
                .statusCode(), "not another admin");
        assertEquals("M_NOT_FOUND", hs.expect(404, admin, "GET", lock("@nobody:" + hs.serverName()), null)
                .path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, admin, "GET", suspend("@someone:elsewhere.example"), null)
                .path("errcode").asText());
        assertEquals(401, hs.request("GET", lock(nora.userId()), null).statusCode());
        assertEquals("M_BAD_JSON", hs.expect(400, admin, "PUT", lock(nora.userId()), "{\"locked\":\"yes\"}")
                .path("errcode").asText());
    }

    @Test
    void aSuspendedUserReadsButDoesNotSendOrJoin() {
        TestUser olga = hs.registerUser("olga");
        TestUser pete = hs.registerUser("pete");
        String roomId = hs.expect(200, pete, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}")
                .path("room_id").asText();
        String other = hs.expect(200, pete, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}")
                .path("room_id").asText();
        hs.expect(200, olga, "POST", V3 + "/join/" + enc(roomId), "{}");
        String own = hs.expect(200, olga, "PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/1",
                "{\"msgtype\":\"m.text\",\"body\":\"before\"}").path("event_id").asText();

        assertTrue(hs.expect(200, admin, "PUT", suspend(olga.userId()), "{\"suspended\":true}").path("suspended")
                .asBoolean());
        assertTrue(hs.expect(200, admin, "GET", suspend(olga.userId()), null).path("suspended").asBoolean());
        String room = V3 + "/rooms/" + enc(roomId);
        assertEquals("M_USER_SUSPENDED", hs.expect(403, olga, "PUT", room + "/send/m.room.message/2",
                "{\"msgtype\":\"m.text\",\"body\":\"during\"}").path("errcode").asText());
        assertEquals("M_USER_SUSPENDED", hs.expect(403, olga, "PUT", room + "/state/m.room.topic/",
                "{\"topic\":\"t\"}").path("errcode").asText());
        assertEquals("M_USER_SUSPENDED", hs.expect(403, olga, "POST", V3 + "/join/" + enc(other), "{}")
                .path("errcode").asText());
        assertEquals("M_USER_SUSPENDED", hs.expect(403, olga, "POST", room + "/invite",
                "{\"user_id\":\"" + admin.userId() + "\"}").path("errcode").asText());
        // Reading goes on, and so does redacting one's own events.
        hs.expect(200, olga, "GET", V3 + "/sync?timeout=0", null);
        hs.expect(200, olga, "GET", room + "/messages?dir=b", null);
        hs.expect(200, olga, "PUT", room + "/redact/" + enc(own) + "/r1", "{}");

        hs.expect(200, admin, "PUT", suspend(olga.userId()), "{\"suspended\":false}");
        hs.expect(200, olga, "PUT", room + "/send/m.room.message/3", "{\"msgtype\":\"m.text\",\"body\":\"after\"}");
        hs.expect(200, olga, "POST", V3 + "/join/" + enc(other), "{}");
    }
}
