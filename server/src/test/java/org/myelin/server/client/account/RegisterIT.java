package org.myelin.server.client.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/** {@code POST /register}, {@code GET /register/available} with open registration (m.login.dummy). */
class RegisterIT {

    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static HttpResponse<String> register(String body) {
        return hs.request("POST", "/_matrix/client/v3/register", body);
    }

    @Test
    void firstRequestWithoutAuthGets401WithDummyFlowAndSession() {
        HttpResponse<String> r = register("{\"username\":\"dance\",\"password\":\"pw-dance\"}");
        assertEquals(401, r.statusCode(), r.body());
        JsonNode body = TestHomeserver.json(r);
        assertEquals("m.login.dummy", body.path("flows").path(0).path("stages").path(0).asText());
        assertEquals(1, body.path("flows").size());
        assertTrue(body.path("params").isObject());
        assertFalse(body.path("session").asText().isEmpty());
        assertTrue(body.path("completed").isArray(), "the stages completed, none yet: " + body);
        assertEquals(0, body.path("completed").size());
        assertFalse(body.has("errcode"));
        assertFalse(hs.homeserver().accounts().accounts.exists("@dance:" + hs.serverName()), "no account yet");
    }

    @Test
    void completingTheDummyStageWithTheSessionRegistersAndLogsIn() {
        String session = TestHomeserver.json(register("{\"username\":\"Bob\",\"password\":\"pw-bob\"}"))
                .path("session").asText();
        HttpResponse<String> r = register("{\"username\":\"Bob\",\"password\":\"pw-bob\","
                + "\"initial_device_display_name\":\"Bob's phone\","
                + "\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = TestHomeserver.json(r);
        assertEquals("@bob:" + hs.serverName(), body.path("user_id").asText(), "username lower-cased");
        assertFalse(body.path("device_id").asText().isEmpty());
        assertFalse(body.has("expires_in_ms"), "a token without refresh never expires");
        assertFalse(body.has("refresh_token"));
        HttpResponse<String> whoami = hs.authed(body.path("access_token").asText(), "GET",
                "/_matrix/client/v3/account/whoami", null);
        assertEquals(200, whoami.statusCode(), whoami.body());
        assertEquals("@bob:" + hs.serverName(), TestHomeserver.json(whoami).path("user_id").asText());
        assertEquals(body.path("device_id").asText(), TestHomeserver.json(whoami).path("device_id").asText());
    }

    /** As Synapse: a client may send the parameters once, then only {@code auth} (Element does). */
    @Test
    void theSecondStepRemembersTheParametersOfTheFirst() {
        String session = TestHomeserver.json(register("{\"username\":\"Remembered\",\"password\":\"pw-remembered\","
                + "\"device_id\":\"REMEMBERED\",\"initial_device_display_name\":\"Work laptop\"}"))
                .path("session").asText();
        HttpResponse<String> r = register("{\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = TestHomeserver.json(r);
        assertEquals("@remembered:" + hs.serverName(), body.path("user_id").asText());
        assertEquals("REMEMBERED", body.path("device_id").asText());
        HttpResponse<String> device = hs.authed(body.path("access_token").asText(), "GET",
                "/_matrix/client/v3/devices/REMEMBERED", null);
        assertEquals("Work laptop", TestHomeserver.json(device).path("display_name").asText(), device.body());
        TestUser again = hs.login(new TestUser(body.path("user_id").asText(), null, null, "pw-remembered"));
        assertFalse(again.accessToken().isEmpty(), "the password of the first step is the account's");
    }

    @Test
    void dummyAuthWithoutSessionRegistersInOneRequest() {
        TestUser carol = hs.registerUser("carol");
        assertEquals("@carol:" + hs.serverName(), carol.userId());
        assertFalse(carol.accessToken().isEmpty());
    }

    @Test
    void takenUsernameIs400UserInUseBeforeAuth() {
        hs.registerUser("taken");
        HttpResponse<String> r = register("{\"username\":\"taken\",\"password\":\"x\"}");
        assertEquals(400, r.statusCode());
        assertEquals("M_USER_IN_USE", TestHomeserver.json(r).path("errcode").asText());
    }

    @Test
    void invalidUsernamesAre400InvalidUsername() {
        for (String name : new String[] {"has space", "_reserved", "12345", "ümlaut", "a:b", ""}) {
            HttpResponse<String> r = register("{\"username\":\"" + name + "\",\"password\":\"x\"}");
            assertEquals(400, r.statusCode(), name);
            assertEquals("M_INVALID_USERNAME", TestHomeserver.json(r).path("errcode").asText(), name);
        }
    }

    @Test
    void withoutUsernameALocalpartIsGenerated() {
        HttpResponse<String> r = register("{\"password\":\"pw\",\"auth\":{\"type\":\"m.login.dummy\"}}");
        assertEquals(200, r.statusCode(), r.body());
        String userId = TestHomeserver.json(r).path("user_id").asText();
        assertTrue(userId.matches("@[a-z0-9]+:" + java.util.regex.Pattern.quote(hs.serverName())), userId);
    }

    @Test
    void inhibitLoginReturnsOnlyTheUserId() {
        HttpResponse<String> r = register("{\"username\":\"quiet\",\"password\":\"pw\",\"inhibit_login\":true,"
                + "\"auth\":{\"type\":\"m.login.dummy\"}}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = TestHomeserver.json(r);
        assertEquals("@quiet:" + hs.serverName(), body.path("user_id").asText());
        assertFalse(body.has("access_token"));
        assertFalse(body.has("device_id"));
    }

    @Test
    void clientChosenDeviceIdIsKept() {
        HttpResponse<String> r = register("{\"username\":\"dev\",\"password\":\"pw\",\"device_id\":\"MYDEVICE\","
                + "\"auth\":{\"type\":\"m.login.dummy\"}}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("MYDEVICE", TestHomeserver.json(r).path("device_id").asText());
    }

    @Test
    void refreshTokenRequestedGivesRefreshTokenAndLifetime() {
        HttpResponse<String> r = register("{\"username\":\"fresh\",\"password\":\"pw\",\"refresh_token\":true,"
                + "\"auth\":{\"type\":\"m.login.dummy\"}}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = TestHomeserver.json(r);
        assertTrue(body.path("refresh_token").asText().length() > 20);
        assertEquals(300_000, body.path("expires_in_ms").asLong());
    }

    @Test
    void missingPasswordAfterAuthIs400MissingParam() {
        HttpResponse<String> r = register("{\"username\":\"nopw\",\"auth\":{\"type\":\"m.login.dummy\"}}");
        assertEquals(400, r.statusCode());
        assertEquals("M_MISSING_PARAM", TestHomeserver.json(r).path("errcode").asText());
    }

    @Test
    void unknownSessionIs400() {
        HttpResponse<String> r = register("{\"username\":\"lost\",\"password\":\"pw\","
                + "\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"nope\"}}");
        assertEquals(400, r.statusCode());
    }

    @Test
    void unknownStageIs401WithError() {
        HttpResponse<String> r = register("{\"username\":\"stage\",\"password\":\"pw\","
                + "\"auth\":{\"type\":\"m.login.recaptcha\"}}");
        assertEquals(401, r.statusCode());
        JsonNode body = TestHomeserver.json(r);
        assertEquals("M_FORBIDDEN", body.path("errcode").asText());
        assertTrue(body.has("flows"));
    }

    @Test
    void retryOfACompletedSessionGetsTheSameAccountAgain() {
        String session = TestHomeserver.json(register("{\"username\":\"twice\",\"password\":\"pw\"}"))
                .path("session").asText();
        String complete = "{\"username\":\"twice\",\"password\":\"pw\","
                + "\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}}";
        HttpResponse<String> first = register(complete);
        assertEquals(200, first.statusCode(), first.body());
        // The client lost the answer and retries the completed stage: same account, new session.
        HttpResponse<String> again = register(complete);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(TestHomeserver.json(first).path("user_id"), TestHomeserver.json(again).path("user_id"));
        assertEquals(200, hs.authed(TestHomeserver.json(again).path("access_token").asText(), "GET",
                "/_matrix/client/v3/account/whoami", null).statusCode());
        // Without the session, the name is taken.
        HttpResponse<String> other = register("{\"username\":\"twice\",\"password\":\"pw\","
                + "\"auth\":{\"type\":\"m.login.dummy\"}}");
        assertEquals(400, other.statusCode());
        assertEquals("M_USER_IN_USE", TestHomeserver.json(other).path("errcode").asText());
    }

    @Test
    void guestRegistrationIsRefusedWhenGuestAccessIsOff() {
        HttpResponse<String> r = hs.request("POST", "/_matrix/client/v3/register?kind=guest", "{}");
        assertEquals(403, r.statusCode());
        assertEquals("M_GUEST_ACCESS_FORBIDDEN", TestHomeserver.json(r).path("errcode").asText());
    }

    @Test
    void unknownKindIs400() {
        HttpResponse<String> r = hs.request("POST", "/_matrix/client/v3/register?kind=robot", "{}");
        assertEquals(400, r.statusCode());
    }

    @Test
    void availabilityOfUsernames() {
        hs.registerUser("present");
        HttpResponse<String> free = hs.get("/_matrix/client/v3/register/available?username=absent");
        assertEquals(200, free.statusCode(), free.body());
        assertTrue(TestHomeserver.json(free).path("available").asBoolean());
        HttpResponse<String> taken = hs.get("/_matrix/client/v3/register/available?username=present");
        assertEquals(400, taken.statusCode());
        assertEquals("M_USER_IN_USE", TestHomeserver.json(taken).path("errcode").asText());
        HttpResponse<String> invalid = hs.get("/_matrix/client/v3/register/available?username=no%20spaces");
        assertEquals(400, invalid.statusCode());
        assertEquals("M_INVALID_USERNAME", TestHomeserver.json(invalid).path("errcode").asText());
        HttpResponse<String> missing = hs.get("/_matrix/client/v3/register/available");
        assertEquals(400, missing.statusCode());
        assertEquals("M_MISSING_PARAM", TestHomeserver.json(missing).path("errcode").asText());
    }

    @Test
    void differentUsersGetDifferentTokens() {
        TestUser a = hs.registerUser("tok-a");
        TestUser b = hs.registerUser("tok-b");
        assertNotEquals(a.accessToken(), b.accessToken());
    }
}
