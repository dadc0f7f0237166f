package org.myelin.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;
import static org.myelin.server.testing.TestHomeserver.json;

/**
 * The user side of the admin API as Synapse's clients (synadm, Synapse-Admin) see it: shapes,
 * status codes, and what each change does to the user's sessions, rooms and sends.
 */
class AdminUsersIT {

    private static final String V3 = "/_matrix/client/v3";
    private static TestHomeserver hs;
    private static TestUser admin;

    @BeforeAll
    static void boot() {
        // Messages limited to a burst of 3, so that an override is seen to lift the limit.
        hs = TestHomeserver.builder().configure(c -> c.withRateLimits(new HomeserverConfig.RateLimits(
                TestHomeserver.NO_RATE_LIMITS.login(), TestHomeserver.NO_RATE_LIMITS.loginFailures(),
                TestHomeserver.NO_RATE_LIMITS.registration(), new HomeserverConfig.RateLimit(0.001, 3)))).start();
        admin = Admins.admin(hs, "admin");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String user(String userId) {
        return "/_synapse/admin/v2/users/" + enc(userId);
    }

    private static String local(String localpart) {
        return "@" + localpart + ":" + hs.serverName();
    }

    @Test
    void onlyAdminsMayUseTheApi() {
        TestUser plain = hs.registerUser("plain");
        JsonNode forbidden = hs.expect(403, plain, "GET", "/_synapse/admin/v2/users", null);
        assertEquals("M_FORBIDDEN", forbidden.path("errcode").asText());
        assertEquals("M_MISSING_TOKEN", hs.expect(401, null, "GET", "/_synapse/admin/v2/users", null)
                .path("errcode").asText());
        assertEquals(403, hs.authed(plain.accessToken(), "PUT", user(local("sneaky")), "{\"admin\":true}").statusCode());
        assertEquals(403, hs.authed(plain.accessToken(), "GET", "/_synapse/admin/v1/rooms", null).statusCode());
        // Synapse's version endpoint needs no token.
        assertFalse(hs.expect(200, null, "GET", "/_synapse/admin/v1/server_version", null)
                .path("server_version").asText().isEmpty());
    }

    @Test
    void createsShowsAndModifiesAnAccount() {
        String id = local("carol");
        JsonNode created = hs.expect(201, admin, "PUT", user(id),
                "{\"password\":\"carol-pw\",\"displayname\":\"Carol\",\"admin\":false,\"user_type\":\"bot\","
                        + "\"threepids\":[]}");
        assertEquals(id, created.path("name").asText());
        assertEquals("Carol", created.path("displayname").asText());
        assertEquals("bot", created.path("user_type").asText());
        for (String key : List.of("threepids", "avatar_url", "is_guest", "admin", "deactivated", "erased",
                "shadow_banned", "creation_ts", "last_seen_ts", "appservice_id", "consent_server_notice_sent",
                "consent_version", "consent_ts", "external_ids", "locked", "suspended")) {
            assertTrue(created.has(key), "missing " + key + " in " + created);
        }
        assertTrue(created.path("avatar_url").isNull());
        // The new account logs in with its password.
        TestUser carol = hs.login(new TestUser(id, null, null, "carol-pw"));

        JsonNode modified = hs.expect(200, admin, "PUT", user(id),
                "{\"displayname\":\"Carol C\",\"admin\":true,\"user_type\":null}");
        assertEquals("Carol C", modified.path("displayname").asText());
        assertTrue(modified.path("admin").asBoolean());
        assertTrue(modified.path("user_type").isNull());
        assertEquals("Carol C", hs.expect(200, carol, "GET", V3 + "/profile/" + enc(id) + "/displayname", null)
                .path("displayname").asText());
        // Now an admin herself.
        hs.expect(200, carol, "GET", "/_synapse/admin/v2/users", null);

        JsonNode shown = hs.expect(200, admin, "GET", user(id), null);
        ((com.fasterxml.jackson.databind.node.ObjectNode) shown).remove("last_seen_ts"); // carol was seen since
        ((com.fasterxml.jackson.databind.node.ObjectNode) modified).remove("last_seen_ts");
        assertEquals(modified, shown);
        assertEquals("M_NOT_FOUND", hs.expect(404, admin, "GET", user(local("nobody")), null).path("errcode").asText());
        assertEquals(400, hs.authed(admin.accessToken(), "GET", user("@someone:elsewhere.example"), null).statusCode());
        assertEquals(400, hs.authed(admin.accessToken(), "PUT", user(id), "{\"user_type\":\"wizard\"}").statusCode());
        assertEquals(400, hs.authed(admin.accessToken(), "PUT", user(id),
                "{\"deactivated\":true,\"locked\":true}").statusCode());
        assertEquals(400, hs.authed(admin.accessToken(), "PUT", user(admin.userId()), "{\"admin\":false}").statusCode(),
                "an admin may not demote themselves");
    }

    @Test
    void aNewPasswordThroughPutLogsOutEveryDeviceUnlessAskedNot() {
        TestUser dave = hs.registerUser("dave");
        hs.expect(200, admin, "PUT", user(dave.userId()), "{\"password\":\"new-1\",\"logout_devices\":false}");
        hs.expect(200, dave, "GET", V3 + "/account/whoami", null);
        hs.expect(200, admin, "PUT", user(dave.userId()), "{\"password\":\"new-2\"}");
        assertEquals("M_UNKNOWN_TOKEN", hs.expect(401, dave, "GET", V3 + "/account/whoami", null)
                .path("errcode").asText());
        hs.login(new TestUser(dave.userId(), null, null, "new-2"));
    }

    @Test
    void listsPagesAndFiltersAccounts() {
        for (String name : List.of("list-a", "list-b", "list-c")) {
            hs.registerUser(name);
        }
        JsonNode first = hs.expect(200, admin, "GET", "/_synapse/admin/v2/users?name=list-&limit=2", null);
        assertEquals(3, first.path("total").asInt());
        assertEquals(2, first.path("users").size());
        assertEquals("2", first.path("next_token").asText());
        JsonNode entry = first.path("users").get(0);
        assertEquals(local("list-a"), entry.path("name").asText());
        for (String key : List.of("is_guest", "admin", "user_type", "deactivated", "erased", "shadow_banned",
                "displayname", "avatar_url", "creation_ts", "last_seen_ts", "locked")) {
            assertTrue(entry.has(key), "missing " + key + " in " + entry);
        }
        assertTrue(entry.path("creation_ts").asLong() > 1_000_000_000_000L, "milliseconds in the list");
        JsonNode second = hs.expect(200, admin, "GET", "/_synapse/admin/v2/users?name=list-&limit=2&from=2", null);
        assertEquals(List.of(local("list-c")), names(second));
        assertFalse(second.has("next_token"));
        JsonNode backwards = hs.expect(200, admin, "GET", "/_synapse/admin/v2/users?name=list-&dir=b", null);
        assertEquals(List.of(local("list-c"), local("list-b"), local("list-a")), names(backwards));
        assertEquals(List.of(local("list-b")), names(hs.expect(200, admin, "GET",
                "/_synapse/admin/v2/users?user_id=" + enc("list-b"), null)));

        hs.expect(200, admin, "POST", "/_synapse/admin/v1/deactivate/" + enc(local("list-b")), "{}");
        assertEquals(List.of(local("list-a"), local("list-c")),
                names(hs.expect(200, admin, "GET", "/_synapse/admin/v2/users?name=list-", null)), "v2 hides them");
        assertEquals(3, hs.expect(200, admin, "GET", "/_synapse/admin/v2/users?name=list-&deactivated=true", null)
                .path("total").asInt());
        assertEquals(List.of(local("list-b")), names(hs.expect(200, admin, "GET",
                "/_synapse/admin/v3/users?name=list-&deactivated=true", null)), "v3 filters by it");
        assertEquals(3, hs.expect(200, admin, "GET", "/_synapse/admin/v3/users?name=list-", null)
                .path("total").asInt());
        assertEquals("M_INVALID_PARAM", hs.expect(400, admin, "GET", "/_synapse/admin/v2/users?order_by=shoe_size",
                null).path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, admin, "GET", "/_synapse/admin/v2/users?from=-1", null)
                .path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, admin, "GET", "/_synapse/admin/v2/users?guests=maybe", null)
                .path("errcode").asText());
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.path("users").forEach(u -> names.add(u.path("name").asText()));
        return names;
    }

    @Test
    void deactivationWithEraseEndsSessionsLeavesRoomsAndMarksErased() {
        TestUser erin = hs.registerUser("erin");
        TestUser friend = hs.registerUser("erins-friend");
        String roomId = hs.expect(200, friend, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}")
                .path("room_id").asText();
        hs.expect(200, erin, "POST", V3 + "/join/" + enc(roomId), "{}");
        assertEquals(400, hs.authed(admin.accessToken(), "POST", "/_synapse/admin/v1/deactivate/" + enc(erin.userId()),
                "{\"erase\":\"yes\"}").statusCode());

        JsonNode answer = hs.expect(200, admin, "POST", "/_synapse/admin/v1/deactivate/" + enc(erin.userId()),
                "{\"erase\":true}");
        assertEquals("no-support", answer.path("id_server_unbind_result").asText());
        JsonNode shown = hs.expect(200, admin, "GET", user(erin.userId()), null);
        assertTrue(shown.path("deactivated").asBoolean());
        assertTrue(shown.path("erased").asBoolean());
        assertEquals(401, hs.authed(erin.accessToken(), "GET", V3 + "/account/whoami", null).statusCode());
        assertEquals(0, hs.expect(200, admin, "GET", "/_synapse/admin/v1/users/" + enc(erin.userId())
                + "/joined_rooms", null).path("total").asInt());
        assertEquals("leave", hs.expect(200, friend, "GET", V3 + "/rooms/" + enc(roomId) + "/state/m.room.member/"
                + enc(erin.userId()), null).path("membership").asText());
        assertEquals(404, hs.authed(admin.accessToken(), "POST", "/_synapse/admin/v1/deactivate/"
                + enc(local("ghost")), "{}").statusCode());

        // Reactivated with a password, the account logs in again.
        JsonNode back = hs.expect(200, admin, "PUT", user(erin.userId()), "{\"deactivated\":false,\"password\":\"pw2\"}");
        assertFalse(back.path("deactivated").asBoolean());
        hs.login(new TestUser(erin.userId(), null, null, "pw2"));
    }

    @Test
    void resetPasswordLogsOutByDefault() {
        TestUser frank = hs.registerUser("frank");
        String path = "/_synapse/admin/v1/reset_password/" + enc(frank.userId());
        assertEquals("M_MISSING_PARAM", hs.expect(400, admin, "POST", path, "{}").path("errcode").asText());
        hs.expect(200, admin, "POST", path, "{\"new_password\":\"frank-2\"}");
        assertEquals(401, hs.authed(frank.accessToken(), "GET", V3 + "/account/whoami", null).statusCode());
        TestUser again = hs.login(new TestUser(frank.userId(), null, null, "frank-2"));
        hs.expect(200, admin, "POST", path, "{\"new_password\":\"frank-3\",\"logout_devices\":false}");
        hs.expect(200, again, "GET", V3 + "/account/whoami", null);
    }

    @Test
    void whoisDevicesAndJoinedRooms() {
        TestUser gina = hs.registerUser("gina");
        TestUser other = hs.registerUser("gina-other");
        hs.expect(200, gina, "GET", V3 + "/account/whoami", null); // seen
        JsonNode whois = hs.expect(200, admin, "GET", "/_synapse/admin/v1/whois/" + enc(gina.userId()), null);
        assertEquals(gina.userId(), whois.path("user_id").asText());
        JsonNode connection = whois.path("devices").path("").path("sessions").get(0).path("connections").get(0);
        assertEquals("127.0.0.1", connection.path("ip").asText());
        assertTrue(connection.path("last_seen").asLong() > 0);
        assertEquals(whois, hs.expect(200, admin, "GET", V3 + "/admin/whois/" + enc(gina.userId()), null));
        hs.expect(200, gina, "GET", V3 + "/admin/whois/" + enc(gina.userId()), null); // about oneself
        assertEquals(403, hs.authed(other.accessToken(), "GET", V3 + "/admin/whois/" + enc(gina.userId()), null)
                .statusCode());

        String devices = "/_synapse/admin/v2/users/" + enc(gina.userId()) + "/devices";
        JsonNode list = hs.expect(200, admin, "GET", devices, null);
        assertEquals(1, list.path("total").asInt());
        JsonNode device = list.path("devices").get(0);
        assertEquals(gina.deviceId(), device.path("device_id").asText());
        assertEquals(gina.userId(), device.path("user_id").asText());
        assertFalse(device.path("dehydrated").asBoolean());
        hs.expect(200, admin, "PUT", devices + "/" + enc(gina.deviceId()), "{\"display_name\":\"phone\"}");
        assertEquals("phone", hs.expect(200, admin, "GET", devices + "/" + enc(gina.deviceId()), null)
                .path("display_name").asText());
        assertEquals(404, hs.authed(admin.accessToken(), "GET", devices + "/NOPE", null).statusCode());
        TestUser second = hs.login(gina);
        hs.expect(200, admin, "POST", "/_synapse/admin/v2/users/" + enc(gina.userId()) + "/delete_devices",
                "{\"devices\":[\"" + second.deviceId() + "\"]}");
        assertEquals(401, hs.authed(second.accessToken(), "GET", V3 + "/account/whoami", null).statusCode());
        hs.expect(200, admin, "DELETE", devices + "/" + enc(gina.deviceId()), null);
        assertEquals(401, hs.authed(gina.accessToken(), "GET", V3 + "/account/whoami", null).statusCode());
        assertEquals(0, hs.expect(200, admin, "GET", devices, null).path("total").asInt());

        String roomId = hs.expect(200, other, "POST", V3 + "/createRoom", "{}").path("room_id").asText();
        JsonNode joined = hs.expect(200, admin, "GET", "/_synapse/admin/v1/users/" + enc(other.userId())
                + "/joined_rooms", null);
        assertEquals(1, joined.path("total").asInt());
        assertEquals(roomId, joined.path("joined_rooms").get(0).asText());
    }

    @Test
    void anAdminLogsInAsAUserWithoutADevice() {
        TestUser hank = hs.registerUser("hank");
        String path = "/_synapse/admin/v1/users/" + enc(hank.userId()) + "/login";
        String token = hs.expect(200, admin, "POST", path, "{}").path("access_token").asText();
        assertEquals(hank.userId(), hs.expect(200, new TestUser(hank.userId(), null, token, null), "GET",
                V3 + "/account/whoami", null).path("user_id").asText());
        // Not among the user's devices.
        assertEquals(1, hs.expect(200, hank, "GET", V3 + "/devices", null).path("devices").size());
        assertEquals(400, hs.authed(admin.accessToken(), "POST", "/_synapse/admin/v1/users/" + enc(admin.userId())
                + "/login", "{}").statusCode(), "not as oneself");
        assertEquals(400, hs.authed(admin.accessToken(), "POST", path, "{\"valid_until_ms\":1}").statusCode());
        // /logout with it revokes it alone.
        hs.expect(200, new TestUser(hank.userId(), null, token, null), "POST", V3 + "/logout", "{}");
        assertEquals(401, hs.authed(token, "GET", V3 + "/account/whoami", null).statusCode());
        hs.expect(200, hank, "GET", V3 + "/account/whoami", null);
        // One that expires stops working then.
        String brief = hs.expect(200, admin, "POST", path, "{\"valid_until_ms\":" + (System.currentTimeMillis() + 600_000)
                + "}").path("access_token").asText();
        assertEquals(200, hs.authed(brief, "GET", V3 + "/account/whoami", null).statusCode());
    }

    @Test
    void aShadowBannedUsersSendsSucceedButNobodySeesThem() {
        TestUser ivan = hs.registerUser("ivan");
        TestUser judy = hs.registerUser("judy");
        String roomId = hs.expect(200, judy, "POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}")
                .path("room_id").asText();
        hs.expect(200, ivan, "POST", V3 + "/join/" + enc(roomId), "{}");
        String ban = "/_synapse/admin/v1/users/" + enc(ivan.userId()) + "/shadow_ban";
        hs.expect(200, admin, "POST", ban, null);
        assertTrue(hs.expect(200, admin, "GET", user(ivan.userId()), null).path("shadow_banned").asBoolean());

        String sent = hs.expect(200, ivan, "PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/t1",
                "{\"msgtype\":\"m.text\",\"body\":\"spam\"}").path("event_id").asText();
        assertTrue(sent.startsWith("$"));
        assertEquals(404, hs.authed(judy.accessToken(), "GET", V3 + "/rooms/" + enc(roomId) + "/event/" + enc(sent),
                null).statusCode());
        String topic = hs.expect(200, ivan, "PUT", V3 + "/rooms/" + enc(roomId) + "/state/m.room.topic/",
                "{\"topic\":\"spam\"}").path("event_id").asText();
        assertTrue(topic.startsWith("$"));
        JsonNode messages = hs.expect(200, judy, "GET", V3 + "/rooms/" + enc(roomId) + "/messages?dir=b&limit=50", null);
        messages.path("chunk").forEach(e -> assertNotEquals("spam", e.path("content").path("body").asText()));

        hs.expect(200, admin, "DELETE", ban, null);
        String real = hs.expect(200, ivan, "PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/t2",
                "{\"msgtype\":\"m.text\",\"body\":\"hello\"}").path("event_id").asText();
        hs.expect(200, judy, "GET", V3 + "/rooms/" + enc(roomId) + "/event/" + enc(real), null);
    }

    @Test
    void aRateLimitOverrideLiftsTheMessageLimit() {
        TestUser kate = hs.registerUser("kate");
        String roomId = hs.expect(200, kate, "POST", V3 + "/createRoom", "{}").path("room_id").asText();
        String override = "/_synapse/admin/v1/users/" + enc(kate.userId()) + "/override_ratelimit";
        assertEquals("{}", hs.expect(200, admin, "GET", override, null).toString());
        int sent = 0;
        HttpResponse<String> r;
        do {
            r = hs.authed(kate.accessToken(), "PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/a" + sent,
                    "{\"msgtype\":\"m.text\",\"body\":\"x\"}");
            sent++;
        } while (r.statusCode() == 200 && sent < 10);
        assertEquals(429, r.statusCode(), "the configured burst of 3 ran out");

        JsonNode set = hs.expect(200, admin, "POST", override, "{\"messages_per_second\":0,\"burst_count\":0}");
        assertEquals(0, set.path("messages_per_second").asInt());
        assertEquals(0, set.path("burst_count").asInt());
        assertEquals(set, hs.expect(200, admin, "GET", override, null));
        for (int i = 0; i < 10; i++) {
            hs.expect(200, kate, "PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/b" + i,
                    "{\"msgtype\":\"m.text\",\"body\":\"x\"}");
        }
        assertEquals("M_INVALID_PARAM", hs.expect(400, admin, "POST", override, "{\"burst_count\":-1}")
                .path("errcode").asText());
        assertEquals("{}", hs.expect(200, admin, "DELETE", override, null).toString());
        assertEquals(429, hs.authed(kate.accessToken(), "PUT", V3 + "/rooms/" + enc(roomId)
                + "/send/m.room.message/c", "{\"msgtype\":\"m.text\",\"body\":\"x\"}").statusCode());
    }

    @Test
    void accountDataGlobalAndPerRoom() {
        TestUser lena = hs.registerUser("lena");
        String roomId = hs.expect(200, lena, "POST", V3 + "/createRoom", "{}").path("room_id").asText();
        hs.expect(200, lena, "PUT", V3 + "/user/" + enc(lena.userId()) + "/account_data/org.example.setting",
                "{\"on\":true}");
        hs.expect(200, lena, "PUT", V3 + "/user/" + enc(lena.userId()) + "/rooms/" + enc(roomId)
                + "/account_data/org.example.room", "{\"n\":1}");
        JsonNode data = hs.expect(200, admin, "GET", "/_synapse/admin/v1/users/" + enc(lena.userId()) + "/accountdata",
                null).path("account_data");
        assertTrue(data.path("global").path("org.example.setting").path("on").asBoolean());
        assertEquals(1, data.path("rooms").path(roomId).path("org.example.room").path("n").asInt());
    }
}
