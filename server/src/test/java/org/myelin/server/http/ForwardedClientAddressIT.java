package org.myelin.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * A client listener behind a reverse proxy on the same host ({@code x_forwarded: true}): every
 * connection comes from 127.0.0.1, and the client's address is the one the proxy put last in
 * {@code X-Forwarded-For}. Registration on loopback only and the rate limits per address judge
 * that address, not the proxy's.
 */
class ForwardedClientAddressIT {

    private static final String REGISTER = "/_matrix/client/v3/register";
    private static final String LOGIN = "/_matrix/client/v3/login";
    private static final HomeserverConfig.RateLimit UNLIMITED = new HomeserverConfig.RateLimit(1_000_000, 1_000_000);
    /** Three logins per address, then nothing for a long while. */
    private static final HomeserverConfig.RateLimits THREE_LOGINS_PER_ADDRESS = new HomeserverConfig.RateLimits(
            new HomeserverConfig.RateLimit(0.001, 3), UNLIMITED, UNLIMITED, UNLIMITED);

    private static TestHomeserver proxied;

    @BeforeAll
    static void boot() {
        proxied = TestHomeserver.builder().configure(c -> c
                .withListeners(c.listeners().stream()
                        .map(l -> l.resources().contains(Resource.CLIENT) ? l.withXForwarded(true) : l).toList())
                .withRateLimits(THREE_LOGINS_PER_ADDRESS)).start();
    }

    @AfterAll
    static void stop() {
        proxied.close();
    }

    private static HttpResponse<String> post(TestHomeserver hs, String path, String body, String forwardedFor) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hs.clientUri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        return hs.send(request);
    }

    private static String registration(String localpart) {
        return "{\"username\":\"" + localpart + "\",\"password\":\"pw-" + localpart + "\",\"auth\":{\"type\":\"m.login.dummy\"}}";
    }

    private static String login(String user, String password) {
        return "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"" + user + "\"},"
                + "\"password\":\"" + password + "\"}";
    }

    @Test
    void loopbackOnlyRegistrationJudgesTheAddressTheProxyForwarded() {
        HttpResponse<String> remote = post(proxied, REGISTER, registration("remote"), "203.0.113.7");
        assertEquals(403, remote.statusCode(), remote.body());
        assertEquals("M_FORBIDDEN", TestHomeserver.json(remote).path("errcode").asText());

        // A client cannot pass for a local one: the proxy appends the address it saw.
        HttpResponse<String> forged = post(proxied, REGISTER, registration("forger"), "127.0.0.1, 203.0.113.7");
        assertEquals(403, forged.statusCode(), forged.body());

        HttpResponse<String> local = post(proxied, REGISTER, registration("local"), "::1");
        assertEquals(200, local.statusCode(), local.body());
    }

    @Test
    void failedLoginsFromOneAddressDoNotLockOutAnother() {
        TestUser alice = proxied.registerUser("alice"); // no header: the proxy's own address
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> bad = post(proxied, LOGIN, login("mallory", "guess" + i), "203.0.113.7");
            assertEquals(403, bad.statusCode(), bad.body());
        }
        assertEquals(429, post(proxied, LOGIN, login("mallory", "guess"), "203.0.113.7").statusCode());

        HttpResponse<String> good = post(proxied, LOGIN, login(alice.userId(), alice.password()), "198.51.100.9");
        assertEquals(200, good.statusCode(), good.body());
    }

    @Test
    void aListenerThatDoesNotSaySoIgnoresTheHeader() {
        try (TestHomeserver direct = TestHomeserver.start()) {
            HttpResponse<String> r = post(direct, REGISTER, registration("direct"), "203.0.113.7");
            assertEquals(200, r.statusCode(), "the connection's own address, 127.0.0.1: " + r.body());
        }
    }
}
