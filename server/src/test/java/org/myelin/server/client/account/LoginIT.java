package org.myelin.server.client.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.myelin.server.client.account.Requests.errcode;
import static org.myelin.server.client.account.Requests.json;
import static org.myelin.server.client.account.Requests.login;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/** {@code GET} and {@code POST /_matrix/client/v3/login}. */
class LoginIT {

    private static final String LOGIN = "/_matrix/client/v3/login";
    private static TestHomeserver hs;
    private static TestUser alice;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        alice = hs.registerUser("alice", "correct horse");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static HttpResponse<String> post(String body) {
        return hs.request("POST", LOGIN, body);
    }

    @Test
    void advertisesPasswordLogin() {
        HttpResponse<String> r = hs.get(LOGIN);
        assertEquals(200, r.statusCode());
        assertEquals("m.login.password", json(r).path("flows").path(0).path("type").asText());
    }

    @Test
    void logsInByLocalpartWithANewDevice() {
        HttpResponse<String> r = post(login("alice", "correct horse"));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals(alice.userId(), body.path("user_id").asText());
        assertNotEquals(alice.deviceId(), body.path("device_id").asText());
        assertFalse(body.has("expires_in_ms"));
        assertEquals(200, hs.authed(body.path("access_token").asText(), "GET", "/_matrix/client/v3/account/whoami",
                null).statusCode());
    }

    @Test
    void logsInByFullUserIdAndIgnoresCase() {
        assertEquals(200, post(login(alice.userId(), "correct horse")).statusCode());
        assertEquals(200, post(login("ALICE", "correct horse")).statusCode());
    }

    @Test
    void legacyUserFieldWorks() {
        HttpResponse<String> r = post("{\"type\":\"m.login.password\",\"user\":\"alice\",\"password\":\"correct horse\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(alice.userId(), json(r).path("user_id").asText());
    }

    @Test
    void wrongPasswordIs403Forbidden() {
        HttpResponse<String> r = post(login("alice", "wrong"));
        assertEquals(403, r.statusCode());
        assertEquals("M_FORBIDDEN", errcode(r));
    }

    @Test
    void unknownUserIs403Forbidden() {
        HttpResponse<String> r = post(login("nobody", "whatever"));
        assertEquals(403, r.statusCode());
        assertEquals("M_FORBIDDEN", errcode(r));
    }

    @Test
    void userOfAnotherServerIs403() {
        assertEquals(403, post(login("@alice:elsewhere.example", "correct horse")).statusCode());
    }

    @Test
    void thirdPartyIdentifierIs403() {
        HttpResponse<String> r = post("{\"type\":\"m.login.password\",\"password\":\"x\",\"identifier\":"
                + "{\"type\":\"m.id.thirdparty\",\"medium\":\"email\",\"address\":\"a@example.org\"}}");
        assertEquals(403, r.statusCode());
        assertEquals("M_FORBIDDEN", errcode(r));
    }

    @Test
    void unknownLoginTypeIs400Unknown() {
        HttpResponse<String> r = post("{\"type\":\"org.example.login.magic\",\"token\":\"abc\"}");
        assertEquals(400, r.statusCode());
        assertEquals("M_UNKNOWN", errcode(r));
    }

    @Test
    void missingIdentifierIs400() {
        HttpResponse<String> r = post("{\"type\":\"m.login.password\",\"password\":\"x\"}");
        assertEquals(400, r.statusCode());
        assertEquals("M_MISSING_PARAM", errcode(r));
    }

    @Test
    void missingTypeAndBadBodies() {
        assertEquals("M_MISSING_PARAM", errcode(post("{\"password\":\"x\",\"user\":\"alice\"}")));
        assertEquals("M_NOT_JSON", errcode(post("not json")));
        assertEquals("M_BAD_JSON", errcode(post("{\"type\":\"m.login.password\",\"user\":\"alice\",\"password\":{}}")));
    }

    @Test
    void loginWithAnExistingDeviceIdReplacesThatDevicesToken() {
        TestUser dora = hs.registerUser("dora");
        String body = "{\"type\":\"m.login.password\",\"user\":\"dora\",\"password\":\"" + dora.password()
                + "\",\"device_id\":\"" + dora.deviceId() + "\"}";
        HttpResponse<String> r = post(body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(dora.deviceId(), json(r).path("device_id").asText());
        HttpResponse<String> old = hs.authed(dora.accessToken(), "GET", "/_matrix/client/v3/account/whoami", null);
        assertEquals(401, old.statusCode());
        assertEquals("M_UNKNOWN_TOKEN", errcode(old));
        HttpResponse<String> devices = hs.authed(json(r).path("access_token").asText(), "GET",
                "/_matrix/client/v3/devices", null);
        assertEquals(1, json(devices).path("devices").size(), "the device was reused, not duplicated");
    }

    @Test
    void initialDisplayNameNamesTheNewDevice() {
        TestUser eve = hs.registerUser("eve");
        HttpResponse<String> r = post("{\"type\":\"m.login.password\",\"user\":\"eve\",\"password\":\"" + eve.password()
                + "\",\"initial_device_display_name\":\"Eve's laptop\",\"device_id\":\"LAPTOP\"}");
        assertEquals(200, r.statusCode(), r.body());
        HttpResponse<String> device = hs.authed(eve.accessToken(), "GET", "/_matrix/client/v3/devices/LAPTOP", null);
        assertEquals("Eve's laptop", json(device).path("display_name").asText());
    }
}
