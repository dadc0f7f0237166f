package org.myelin.server.client.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.account.Requests.errcode;
import static org.myelin.server.client.account.Requests.json;
import static org.myelin.server.client.account.Requests.login;
import static org.myelin.server.client.account.Requests.object;
import static org.myelin.server.client.account.Requests.passwordAuth;
import static org.myelin.server.client.account.Requests.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/** whoami, password change and account deactivation under user-interactive auth, 3PIDs. */
class AccountIT {

    private static final String PASSWORD = "/_matrix/client/v3/account/password";
    private static final String DEACTIVATE = "/_matrix/client/v3/account/deactivate";
    private static TestHomeserver hs;
    private static final List<String> lifecycle = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        hs.homeserver().accounts().addLifecycleListener(new AccountLifecycle() {
            @Override
            public void devicesDeleted(String userId, List<String> deviceIds) {
                lifecycle.add("devices " + userId + " " + deviceIds.size());
            }

            @Override
            public void accountDeactivated(String userId) {
                lifecycle.add("deactivated " + userId);
            }
        });
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static HttpResponse<String> whoami(String token) {
        return hs.authed(token, "GET", "/_matrix/client/v3/account/whoami", null);
    }

    @Test
    void whoamiNamesUserDeviceAndGuestFlag() {
        TestUser u = hs.registerUser("who");
        JsonNode body = json(whoami(u.accessToken()));
        assertEquals(u.userId(), body.path("user_id").asText());
        assertEquals(u.deviceId(), body.path("device_id").asText());
        assertFalse(body.path("is_guest").asBoolean());
        assertTrue(body.has("is_guest"));
    }

    @Test
    void threePidsAreEmpty() {
        TestUser u = hs.registerUser("threepids");
        HttpResponse<String> r = hs.authed(u.accessToken(), "GET", "/_matrix/client/v3/account/3pid", null);
        assertEquals(200, r.statusCode());
        assertEquals(0, json(r).path("threepids").size());
        assertTrue(json(r).path("threepids").isArray());
    }

    @Test
    void passwordChangeDanceLogsOutOtherDevicesAndKeepsThisOne() {
        TestUser u = hs.registerUser("changer", "old password");
        TestUser other = hs.login(u);
        ObjectNode body = object().put("new_password", "new password");

        HttpResponse<String> first = hs.authed(u.accessToken(), "POST", PASSWORD, body.toString());
        assertEquals(401, first.statusCode(), first.body());
        assertEquals("m.login.password", json(first).path("flows").path(0).path("stages").path(0).asText());
        String session = session(first);

        body.set("auth", passwordAuth(u.userId(), "not my password", session));
        HttpResponse<String> wrong = hs.authed(u.accessToken(), "POST", PASSWORD, body.toString());
        assertEquals(401, wrong.statusCode(), wrong.body());
        assertEquals("M_FORBIDDEN", errcode(wrong));
        assertEquals(session, session(wrong));
        assertTrue(json(wrong).has("flows"));

        body.set("auth", passwordAuth(u.userId(), "old password", session));
        HttpResponse<String> done = hs.authed(u.accessToken(), "POST", PASSWORD, body.toString());
        assertEquals(200, done.statusCode(), done.body());

        assertEquals(200, whoami(u.accessToken()).statusCode(), "the requesting session stays");
        assertEquals(401, whoami(other.accessToken()).statusCode(), "other sessions are logged out");
        assertEquals(403, hs.request("POST", "/_matrix/client/v3/login", login(u.userId(), "old password")).statusCode());
        assertEquals(200, hs.request("POST", "/_matrix/client/v3/login", login(u.userId(), "new password")).statusCode());
        assertTrue(lifecycle.contains("devices " + u.userId() + " 1"));
    }

    @Test
    void passwordChangeWithLogoutDevicesFalseKeepsOtherSessions() {
        TestUser u = hs.registerUser("keeper", "pw1");
        TestUser other = hs.login(u);
        ObjectNode body = object().put("new_password", "pw2").put("logout_devices", false);
        body.set("auth", passwordAuth(u.userId(), "pw1", null));
        HttpResponse<String> r = hs.authed(u.accessToken(), "POST", PASSWORD, body.toString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(200, whoami(other.accessToken()).statusCode());
    }

    @Test
    void passwordStageMustNameTheRequester() {
        TestUser u = hs.registerUser("mallory", "pw-m");
        TestUser victim = hs.registerUser("victim", "pw-v");
        ObjectNode body = object().put("new_password", "pwned");
        body.set("auth", passwordAuth(u.userId(), "pw-m", null));
        HttpResponse<String> r = hs.authed(victim.accessToken(), "POST", PASSWORD, body.toString());
        assertEquals(403, r.statusCode(), r.body()); // Synapse's "Invalid auth": not another 401
        assertEquals("M_FORBIDDEN", errcode(r));
    }

    @Test
    void missingNewPasswordAfterAuthIs400() {
        TestUser u = hs.registerUser("forgetful", "pw");
        ObjectNode body = object();
        body.set("auth", passwordAuth(u.userId(), "pw", null));
        HttpResponse<String> r = hs.authed(u.accessToken(), "POST", PASSWORD, body.toString());
        assertEquals(400, r.statusCode());
        assertEquals("M_MISSING_PARAM", errcode(r));
    }

    @Test
    void aSessionOfOneOperationCannotAuthoriseAnother() {
        TestUser u = hs.registerUser("replayer", "pw");
        String session = session(hs.authed(u.accessToken(), "POST", PASSWORD, "{\"new_password\":\"x\"}"));
        ObjectNode body = object();
        body.set("auth", passwordAuth(u.userId(), "pw", session));
        HttpResponse<String> r = hs.authed(u.accessToken(), "POST", DEACTIVATE, body.toString());
        assertEquals(403, r.statusCode(), r.body());
        assertEquals(200, whoami(u.accessToken()).statusCode(), "still active");
    }

    @Test
    void deactivationRevokesTokensRefusesLoginAndKeepsTheIdTaken() {
        TestUser u = hs.registerUser("leaver", "pw");
        TestUser other = hs.login(u);
        HttpResponse<String> first = hs.authed(u.accessToken(), "POST", DEACTIVATE, "{}");
        assertEquals(401, first.statusCode(), first.body());
        ObjectNode body = object();
        body.set("auth", passwordAuth(u.userId(), "pw", session(first)));
        HttpResponse<String> done = hs.authed(u.accessToken(), "POST", DEACTIVATE, body.toString());
        assertEquals(200, done.statusCode(), done.body());
        assertEquals("no-support", json(done).path("id_server_unbind_result").asText());

        assertEquals(401, whoami(u.accessToken()).statusCode());
        assertEquals(401, whoami(other.accessToken()).statusCode());
        HttpResponse<String> login = hs.request("POST", "/_matrix/client/v3/login", login(u.userId(), "pw"));
        assertEquals(403, login.statusCode());
        HttpResponse<String> again = hs.request("POST", "/_matrix/client/v3/register",
                "{\"username\":\"leaver\",\"password\":\"pw\"}");
        assertEquals(400, again.statusCode());
        assertEquals("M_USER_IN_USE", errcode(again));
        assertTrue(lifecycle.contains("deactivated " + u.userId()));
        assertTrue(lifecycle.contains("devices " + u.userId() + " 2"));
    }
}
