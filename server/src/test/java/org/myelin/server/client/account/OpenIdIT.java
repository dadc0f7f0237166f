package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;
import org.myelin.storage.accounts.OpenIdTokenRepository;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * OpenID (client-server API, "OpenID"; server-server API, "OpenID"): a user's token, and what a
 * third party that is not a homeserver learns from it at the federation listener, unsigned.
 */
class OpenIdIT {

    static TestHomeserver hs;
    static TestUser alice;
    static TestUser bob;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String requestToken(TestUser user) {
        return "/_matrix/client/v3/user/" + enc(user.userId()) + "/openid/request_token";
    }

    /** What a third party asks, without X-Matrix: a plain HTTPS GET. */
    private static HttpResponse<String> userInfo(String token) {
        String query = token == null ? "" : "?access_token=" + enc(token);
        return hs.send(HttpRequest.newBuilder(hs.federationUri("/_matrix/federation/v1/openid/userinfo" + query)).GET());
    }

    @Test
    void aThirdPartyLearnsWhoHoldsTheToken() {
        HttpResponse<String> response = hs.authed(alice.accessToken(), "POST", requestToken(alice), "{}");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode token = TestHomeserver.json(response);
        assertEquals("Bearer", token.path("token_type").asText());
        assertEquals(hs.serverName(), token.path("matrix_server_name").asText());
        assertEquals(3600, token.path("expires_in").asLong());
        String accessToken = token.path("access_token").asText();
        assertTrue(accessToken.length() >= 16, accessToken);
        assertNotEquals(alice.accessToken(), accessToken, "not the client's own access token");

        HttpResponse<String> info = userInfo(accessToken);
        assertEquals(200, info.statusCode(), info.body());
        assertEquals(alice.userId(), TestHomeserver.json(info).path("sub").asText());

        // The OpenID token is no access token for the client API.
        HttpResponse<String> whoami = hs.authed(accessToken, "GET", "/_matrix/client/v3/account/whoami", null);
        assertEquals(401, whoami.statusCode(), whoami.body());
        // And an access token is no OpenID token.
        HttpResponse<String> withAccessToken = userInfo(alice.accessToken());
        assertEquals(401, withAccessToken.statusCode(), withAccessToken.body());
    }

    @Test
    void tokensAreOnlyForOneself() {
        HttpResponse<String> response = hs.authed(bob.accessToken(), "POST", requestToken(alice), "{}");
        assertEquals(403, response.statusCode(), response.body());
        assertEquals("M_FORBIDDEN", Requests.errcode(response));
        HttpResponse<String> anonymous = hs.request("POST", requestToken(alice), "{}");
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        HttpResponse<String> notAnObject = hs.authed(alice.accessToken(), "POST", requestToken(alice), "[]");
        assertEquals(400, notAnObject.statusCode(), notAnObject.body());
        assertEquals("M_BAD_JSON", Requests.errcode(notAnObject));
    }

    @Test
    void unknownMissingAndExpiredTokensAreRefused() {
        HttpResponse<String> unknown = userInfo("no-such-token");
        assertEquals(401, unknown.statusCode(), unknown.body());
        assertEquals("M_UNKNOWN_TOKEN", Requests.errcode(unknown));
        HttpResponse<String> missing = userInfo(null);
        assertEquals(401, missing.statusCode(), missing.body());
        assertEquals("M_MISSING_TOKEN", Requests.errcode(missing));

        // Tokens issued 61 and 59 minutes ago: an hour is all they get.
        OpenIdTokenRepository repository = new OpenIdTokenRepository(hs.homeserver().database().dataSource());
        String expired = new OpenIdTokens(repository, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-61)))
                .issue(bob.userId()).accessToken();
        String stillValid = new OpenIdTokens(repository, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-59)))
                .issue(bob.userId()).accessToken();
        HttpResponse<String> late = userInfo(expired);
        assertEquals(401, late.statusCode(), late.body());
        assertEquals("M_UNKNOWN_TOKEN", Requests.errcode(late));
        assertEquals(bob.userId(), TestHomeserver.json(userInfo(stillValid)).path("sub").asText());
    }
}
