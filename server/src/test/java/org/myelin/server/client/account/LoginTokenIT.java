package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;
import org.myelin.storage.accounts.LoginTokenRepository;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logging in with an existing session (client-server API, "Login tokens", MSC3882): off by
 * default; when on, a logged-in client gets a single-use {@code m.login.token} under
 * user-interactive auth, and another client logs in with it once.
 */
class LoginTokenIT {

    private static final String GET_TOKEN = "/_matrix/client/v1/login/get_token";
    private static final HomeserverConfig.LoginViaExistingSession ON =
            new HomeserverConfig.LoginViaExistingSession(true, true, 300_000L);

    static TestHomeserver off;
    static TestHomeserver on;

    @BeforeAll
    static void boot() {
        off = TestHomeserver.start();
        on = TestHomeserver.builder().configure(c -> c.withAuth(c.auth().withLoginViaExistingSession(ON))).start();
    }

    @AfterAll
    static void stop() {
        off.close();
        on.close();
    }

    private static String tokenLogin(String token) {
        return Requests.object().put("type", "m.login.token").put("token", token).toString();
    }

    private static JsonNode flow(TestHomeserver hs, String type) {
        for (JsonNode flow : TestHomeserver.json(hs.get("/_matrix/client/v3/login")).path("flows")) {
            if (flow.path("type").asText().equals(type)) {
                return flow;
            }
        }
        return null;
    }

    private static JsonNode capability(TestHomeserver hs, TestUser user) {
        HttpResponse<String> r = hs.authed(user.accessToken(), "GET", "/_matrix/client/v3/capabilities", null);
        return TestHomeserver.json(r).path("capabilities").path("m.get_login_token");
    }

    /** Asks for a token, completing the password stage; the final answer. */
    private static HttpResponse<String> getToken(TestHomeserver hs, TestUser user) {
        HttpResponse<String> challenge = hs.authed(user.accessToken(), "POST", GET_TOKEN, "{}");
        assertEquals(401, challenge.statusCode(), challenge.body());
        ObjectNode body = Requests.object();
        body.set("auth", Requests.passwordAuth(user.userId(), user.password(), Requests.session(challenge)));
        return hs.authed(user.accessToken(), "POST", GET_TOKEN, body.toString());
    }

    @Test
    void offByDefault() {
        TestUser alice = off.registerUser("alice");
        HttpResponse<String> refused = off.authed(alice.accessToken(), "POST", GET_TOKEN, "{}");
        assertEquals(400, refused.statusCode(), refused.body());
        assertEquals("M_FORBIDDEN", Requests.errcode(refused));
        assertEquals(null, flow(off, "m.login.token"), "no m.login.token flow");
        assertFalse(capability(off, alice).path("enabled").asBoolean(true), "m.get_login_token disabled");
        HttpResponse<String> login = off.request("POST", "/_matrix/client/v3/login", tokenLogin("mylt_guess"));
        assertEquals(403, login.statusCode(), login.body());
        assertEquals("M_FORBIDDEN", Requests.errcode(login));
        HttpResponse<String> anonymous = off.request("POST", GET_TOKEN, "{}");
        assertEquals(401, anonymous.statusCode(), anonymous.body());
    }

    @Test
    void aLoggedInClientLetsAnotherLogInOnce() {
        assertTrue(flow(on, "m.login.token").path("get_login_token").asBoolean(), "advertised in GET /login");
        TestUser alice = on.registerUser("alice");
        assertTrue(capability(on, alice).path("enabled").asBoolean(), "m.get_login_token enabled");

        HttpResponse<String> challenge = on.authed(alice.accessToken(), "POST", GET_TOKEN, "{}");
        assertEquals(401, challenge.statusCode(), challenge.body());
        assertEquals("m.login.password", Requests.json(challenge).path("flows").path(0).path("stages").path(0).asText());
        ObjectNode wrong = Requests.object();
        wrong.set("auth", Requests.passwordAuth(alice.userId(), "not the password", Requests.session(challenge)));
        HttpResponse<String> wrongPassword = on.authed(alice.accessToken(), "POST", GET_TOKEN, wrong.toString());
        assertEquals(401, wrongPassword.statusCode(), wrongPassword.body());
        assertEquals("M_FORBIDDEN", Requests.errcode(wrongPassword));

        ObjectNode right = Requests.object();
        right.set("auth", Requests.passwordAuth(alice.userId(), alice.password(), Requests.session(challenge)));
        HttpResponse<String> issued = on.authed(alice.accessToken(), "POST", GET_TOKEN, right.toString());
        assertEquals(200, issued.statusCode(), issued.body());
        String token = Requests.json(issued).path("login_token").asText();
        assertEquals(300_000, Requests.json(issued).path("expires_in_ms").asLong());

        HttpResponse<String> login = on.request("POST", "/_matrix/client/v3/login", tokenLogin(token));
        assertEquals(200, login.statusCode(), login.body());
        JsonNode session = Requests.json(login);
        assertEquals(alice.userId(), session.path("user_id").asText());
        assertNotEquals(alice.deviceId(), session.path("device_id").asText(), "a new device");
        HttpResponse<String> whoami = on.authed(session.path("access_token").asText(), "GET",
                "/_matrix/client/v3/account/whoami", null);
        assertEquals(alice.userId(), Requests.json(whoami).path("user_id").asText());

        HttpResponse<String> again = on.request("POST", "/_matrix/client/v3/login", tokenLogin(token));
        assertEquals(403, again.statusCode(), again.body());
        assertEquals("M_FORBIDDEN", Requests.errcode(again));
    }

    @Test
    void everyTokenAsksForThePasswordAgainAndOneAMinuteIsAll() {
        TestUser bob = on.registerUser("bob");
        assertEquals(200, getToken(on, bob).statusCode());
        // The UIA session that got the first token is spent: a new request is challenged again.
        HttpResponse<String> second = getToken(on, bob);
        assertEquals(429, second.statusCode(), second.body());
        assertEquals("M_LIMIT_EXCEEDED", Requests.errcode(second));
        assertTrue(Requests.json(second).path("retry_after_ms").asLong() > 0, second.body());
    }

    @Test
    void expiredUnknownAndMissingTokensLogNobodyIn() {
        TestUser carol = on.registerUser("carol");
        LoginTokenRepository repository = new LoginTokenRepository(on.homeserver().database().dataSource());
        String expired = new LoginTokens(repository, ON, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-6)))
                .issue(carol.userId()).loginToken();
        String fresh = new LoginTokens(repository, ON, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-4)))
                .issue(carol.userId()).loginToken();
        HttpResponse<String> late = on.request("POST", "/_matrix/client/v3/login", tokenLogin(expired));
        assertEquals(403, late.statusCode(), late.body());
        assertEquals("M_FORBIDDEN", Requests.errcode(late));
        HttpResponse<String> inTime = on.request("POST", "/_matrix/client/v3/login", tokenLogin(fresh));
        assertEquals(200, inTime.statusCode(), inTime.body());

        HttpResponse<String> unknown = on.request("POST", "/_matrix/client/v3/login", tokenLogin("mylt_unknown"));
        assertEquals(403, unknown.statusCode(), unknown.body());
        HttpResponse<String> missing = on.request("POST", "/_matrix/client/v3/login",
                Requests.object().put("type", "m.login.token").toString());
        assertEquals(400, missing.statusCode(), missing.body());
        assertEquals("M_MISSING_PARAM", Requests.errcode(missing));
    }

    @Test
    void withoutUiAuthTheTokenComesAtOnce() {
        try (TestHomeserver noUia = TestHomeserver.builder().configure(c -> c.withAuth(c.auth()
                .withLoginViaExistingSession(new HomeserverConfig.LoginViaExistingSession(true, false, 120_000L))))
                .start()) {
            TestUser dan = noUia.registerUser("dan");
            HttpResponse<String> issued = noUia.authed(dan.accessToken(), "POST", GET_TOKEN, "{}");
            assertEquals(200, issued.statusCode(), issued.body());
            assertEquals(120_000, Requests.json(issued).path("expires_in_ms").asLong());
            HttpResponse<String> login = noUia.request("POST", "/_matrix/client/v3/login",
                    tokenLogin(Requests.json(issued).path("login_token").asText()));
            assertEquals(dan.userId(), Requests.json(login).path("user_id").asText());
        }
    }
}
