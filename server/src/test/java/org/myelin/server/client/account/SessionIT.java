package org.myelin.server.client.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.account.Requests.errcode;
import static org.myelin.server.client.account.Requests.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/** Logout, logout everywhere, and refresh-token rotation. */
class SessionIT {

    private static final String WHOAMI = "/_matrix/client/v3/account/whoami";
    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static void assertRevoked(String accessToken) {
        HttpResponse<String> r = hs.authed(accessToken, "GET", WHOAMI, null);
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("M_UNKNOWN_TOKEN", errcode(r));
        assertFalse(json(r).path("soft_logout").asBoolean(), "a revoked session is gone: soft_logout false");
    }

    private static void assertWorks(String accessToken) {
        HttpResponse<String> r = hs.authed(accessToken, "GET", WHOAMI, null);
        assertEquals(200, r.statusCode(), r.body());
    }

    /** Logs in with refresh_token: true; returns the response body. */
    private static JsonNode loginRefreshable(TestUser user) {
        HttpResponse<String> r = hs.request("POST", "/_matrix/client/v3/login", "{\"type\":\"m.login.password\","
                + "\"user\":\"" + user.userId() + "\",\"password\":\"" + user.password() + "\",\"refresh_token\":true}");
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    private static HttpResponse<String> refresh(String refreshToken) {
        return hs.request("POST", "/_matrix/client/v3/refresh", "{\"refresh_token\":\"" + refreshToken + "\"}");
    }

    @Test
    void logoutRevokesTheTokenAndDeletesTheDeviceOnly() {
        TestUser frank = hs.registerUser("frank");
        TestUser otherSession = hs.login(frank);
        assertEquals(200, hs.authed(frank.accessToken(), "POST", "/_matrix/client/v3/logout", "{}").statusCode());
        assertRevoked(frank.accessToken());
        assertWorks(otherSession.accessToken());
        JsonNode devices = json(hs.authed(otherSession.accessToken(), "GET", "/_matrix/client/v3/devices", null));
        assertEquals(1, devices.path("devices").size());
        assertEquals(otherSession.deviceId(), devices.path("devices").path(0).path("device_id").asText());
    }

    @Test
    void logoutAllRevokesEveryToken() {
        TestUser gina = hs.registerUser("gina");
        TestUser second = hs.login(gina);
        assertEquals(200, hs.authed(second.accessToken(), "POST", "/_matrix/client/v3/logout/all", null).statusCode());
        assertRevoked(gina.accessToken());
        assertRevoked(second.accessToken());
        TestUser third = hs.login(gina);
        JsonNode devices = json(hs.authed(third.accessToken(), "GET", "/_matrix/client/v3/devices", null));
        assertEquals(1, devices.path("devices").size(), "only the new login's device");
    }

    @Test
    void refreshableLoginExpiresAndRotates() {
        TestUser hank = hs.registerUser("hank");
        JsonNode first = loginRefreshable(hank);
        assertEquals(300_000, first.path("expires_in_ms").asLong());
        String refresh1 = first.path("refresh_token").asText();
        assertWorks(first.path("access_token").asText());

        HttpResponse<String> r = refresh(refresh1);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode second = json(r);
        assertNotEquals(refresh1, second.path("refresh_token").asText());
        assertEquals(300_000, second.path("expires_in_ms").asLong());
        assertRevoked(first.path("access_token").asText());
        assertWorks(second.path("access_token").asText());
        HttpResponse<String> whoami = hs.authed(second.path("access_token").asText(), "GET", WHOAMI, null);
        assertEquals(first.path("device_id").asText(), json(whoami).path("device_id").asText(), "same device");

        // The new access token has been used: the old refresh token is retired.
        HttpResponse<String> reuse = refresh(refresh1);
        assertEquals(401, reuse.statusCode());
        assertEquals("M_UNKNOWN_TOKEN", errcode(reuse));
    }

    @Test
    void oldRefreshTokenStaysValidUntilTheNewTokensAreUsed() {
        TestUser ivy = hs.registerUser("ivy");
        String refresh1 = loginRefreshable(ivy).path("refresh_token").asText();
        JsonNode lost = json(refresh(refresh1)); // the client never received this answer
        HttpResponse<String> retry = refresh(refresh1);
        assertEquals(200, retry.statusCode(), retry.body());
        JsonNode kept = json(retry);
        assertRevoked(lost.path("access_token").asText());
        assertEquals(401, refresh(lost.path("refresh_token").asText()).statusCode(), "the lost pair was replaced");
        // Refreshing with the new refresh token retires the old one.
        HttpResponse<String> next = refresh(kept.path("refresh_token").asText());
        assertEquals(200, next.statusCode(), next.body());
        assertEquals(401, refresh(refresh1).statusCode());
        assertWorks(json(next).path("access_token").asText());
    }

    @Test
    void unknownOrMissingRefreshToken() {
        HttpResponse<String> unknown = refresh("myrt_nope");
        assertEquals(401, unknown.statusCode());
        assertEquals("M_UNKNOWN_TOKEN", errcode(unknown));
        HttpResponse<String> missing = hs.request("POST", "/_matrix/client/v3/refresh", "{}");
        assertEquals(400, missing.statusCode());
        assertEquals("M_MISSING_PARAM", errcode(missing));
    }

    @Test
    void logoutRevokesTheRefreshTokenToo() {
        TestUser jack = hs.registerUser("jack");
        JsonNode session = loginRefreshable(jack);
        assertEquals(200, hs.authed(session.path("access_token").asText(), "POST", "/_matrix/client/v3/logout", "{}")
                .statusCode());
        assertEquals(401, refresh(session.path("refresh_token").asText()).statusCode());
    }

    @Test
    void accessTokenInTheQueryStringWorks() {
        TestUser kim = hs.registerUser("kim");
        HttpResponse<String> r = hs.get(WHOAMI + "?access_token=" + kim.accessToken());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(json(r).path("user_id").asText().startsWith("@kim:"));
        assertFalse(json(r).path("is_guest").asBoolean());
    }
}
