package org.myelin.server.client.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.account.Requests.errcode;
import static org.myelin.server.client.account.Requests.json;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * Every authenticated endpoint of accounts, devices and sessions answers 401
 * {@code M_MISSING_TOKEN} without a token and 401 {@code M_UNKNOWN_TOKEN} (soft_logout false)
 * with an unknown one, before looking at anything else.
 */
class AuthenticationIT {

    private static TestHomeserver hs;
    private static TestUser user;

    record Endpoint(String method, String path, String body) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static Stream<Endpoint> endpoints() {
        return Stream.of(
                new Endpoint("GET", "/_matrix/client/v3/account/whoami", null),
                new Endpoint("POST", "/_matrix/client/v3/account/password", "{\"new_password\":\"x\"}"),
                new Endpoint("POST", "/_matrix/client/v3/account/deactivate", "{}"),
                new Endpoint("GET", "/_matrix/client/v3/account/3pid", null),
                new Endpoint("POST", "/_matrix/client/v3/logout", "{}"),
                new Endpoint("POST", "/_matrix/client/v3/logout/all", "{}"),
                new Endpoint("GET", "/_matrix/client/v3/devices", null),
                new Endpoint("GET", "/_matrix/client/v3/devices/ABC", null),
                new Endpoint("PUT", "/_matrix/client/v3/devices/ABC", "{\"display_name\":\"x\"}"),
                new Endpoint("DELETE", "/_matrix/client/v3/devices/ABC", "{}"),
                new Endpoint("POST", "/_matrix/client/v3/delete_devices", "{\"devices\":[\"ABC\"]}"),
                new Endpoint("POST", "/_synapse/admin/v1/registration_tokens/new", "{}"),
                new Endpoint("GET", "/_synapse/admin/v1/registration_tokens", null),
                new Endpoint("GET", "/_synapse/admin/v1/registration_tokens/abc", null));
    }

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        user = hs.registerUser("authtest");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static HttpRequest.Builder request(Endpoint e, String query) {
        HttpRequest.BodyPublisher body = e.body() == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(e.body());
        return HttpRequest.newBuilder(hs.clientUri(e.path() + query)).method(e.method(), body)
                .header("Content-Type", "application/json");
    }

    @ParameterizedTest
    @MethodSource("endpoints")
    void withoutTokenIs401MissingToken(Endpoint e) {
        HttpResponse<String> r = hs.send(request(e, ""));
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("M_MISSING_TOKEN", errcode(r));
    }

    @ParameterizedTest
    @MethodSource("endpoints")
    void withUnknownTokenIs401UnknownToken(Endpoint e) {
        HttpResponse<String> r = hs.send(request(e, "").header("Authorization", "Bearer myat_unknown"));
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("M_UNKNOWN_TOKEN", errcode(r));
        assertTrue(json(r).has("soft_logout"));
        assertFalse(json(r).path("soft_logout").asBoolean());
    }

    @ParameterizedTest
    @MethodSource("endpoints")
    void withUnknownTokenInQueryIs401UnknownToken(Endpoint e) {
        HttpResponse<String> r = hs.send(request(e, "?access_token=myat_unknown"));
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("M_UNKNOWN_TOKEN", errcode(r));
    }

    @ParameterizedTest
    @MethodSource("endpoints")
    void nonBearerAuthorizationIs401MissingToken(Endpoint e) {
        HttpResponse<String> r = hs.send(request(e, "").header("Authorization", "Basic dXNlcjpwYXNz"));
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("M_MISSING_TOKEN", errcode(r));
    }

    @ParameterizedTest
    @MethodSource("endpoints")
    void headerAndQueryTogetherAre401MissingToken(Endpoint e) {
        HttpResponse<String> r = hs.send(request(e, "?access_token=" + user.accessToken())
                .header("Authorization", "Bearer " + user.accessToken()));
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("M_MISSING_TOKEN", errcode(r));
    }
}
