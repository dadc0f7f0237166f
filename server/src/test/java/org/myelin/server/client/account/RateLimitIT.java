package org.myelin.server.client.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.account.Requests.errcode;
import static org.myelin.server.client.account.Requests.json;
import static org.myelin.server.client.account.Requests.login;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig.RateLimit;
import org.myelin.server.config.HomeserverConfig.RateLimits;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * Login and registration rate limits: past the burst, 429 M_LIMIT_EXCEEDED with
 * {@code retry_after_ms}. The buckets refill at one action per 1000 s, so nothing refills
 * during the test.
 */
class RateLimitIT {

    private static final double SLOW = 0.001;
    private static final RateLimit PLENTY = new RateLimit(1_000_000, 1_000_000);

    private static void assertLimited(HttpResponse<String> r) {
        assertEquals(429, r.statusCode(), r.body());
        assertEquals("M_LIMIT_EXCEEDED", errcode(r));
        long retry = json(r).path("retry_after_ms").asLong();
        assertTrue(retry > 0 && retry <= 1_000_000, "retry_after_ms " + retry);
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void loginsPerAddressAreLimited() {
        try (TestHomeserver hs = TestHomeserver.builder().configure(c -> c.withRateLimits(
                new RateLimits(new RateLimit(SLOW, 3), PLENTY, PLENTY, PLENTY))).start()) {
            TestUser u = hs.registerUser("busy");
            for (int i = 0; i < 3; i++) {
                assertEquals(200, hs.request("POST", "/_matrix/client/v3/login", login("busy", u.password()))
                        .statusCode());
            }
            assertLimited(hs.request("POST", "/_matrix/client/v3/login", login("busy", u.password())));
        }
    }

    @Test
    void failedLoginsPerAccountAreLimitedButSuccessesAreNot() {
        try (TestHomeserver hs = TestHomeserver.builder().configure(c -> c.withRateLimits(
                new RateLimits(PLENTY, new RateLimit(SLOW, 2), PLENTY, PLENTY))).start()) {
            TestUser u = hs.registerUser("target");
            for (int i = 0; i < 5; i++) {
                assertEquals(200, hs.request("POST", "/_matrix/client/v3/login", login("target", u.password()))
                        .statusCode(), "successful logins do not count");
            }
            assertEquals(403, hs.request("POST", "/_matrix/client/v3/login", login("target", "guess1")).statusCode());
            assertEquals(403, hs.request("POST", "/_matrix/client/v3/login", login("target", "guess2")).statusCode());
            assertLimited(hs.request("POST", "/_matrix/client/v3/login", login("target", "guess3")));
            assertLimited(hs.request("POST", "/_matrix/client/v3/login", login("target", u.password())));
            TestUser other = hs.registerUser("bystander");
            assertEquals(200, hs.request("POST", "/_matrix/client/v3/login", login("bystander", other.password()))
                    .statusCode(), "other accounts are not affected");
        }
    }

    @Test
    void registrationsPerAddressAreLimited() {
        try (TestHomeserver hs = TestHomeserver.builder().configure(c -> c.withRateLimits(
                new RateLimits(PLENTY, PLENTY, new RateLimit(SLOW, 2), PLENTY))).start()) {
            // The UIA round trips do not count, only registrations.
            for (int i = 0; i < 3; i++) {
                assertEquals(401, hs.request("POST", "/_matrix/client/v3/register", "{}").statusCode());
            }
            hs.registerUser("first");
            hs.registerUser("second");
            assertLimited(hs.request("POST", "/_matrix/client/v3/register",
                    "{\"username\":\"third\",\"password\":\"pw\",\"auth\":{\"type\":\"m.login.dummy\"}}"));
            assertLimited(hs.request("POST", "/_matrix/client/v3/register", "{}"));
        }
    }
}
