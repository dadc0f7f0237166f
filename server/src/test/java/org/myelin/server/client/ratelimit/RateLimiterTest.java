package org.myelin.server.client.ratelimit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig.RateLimit;
import org.myelin.server.http.MatrixException;

/** Token buckets, with a clock the test moves. */
class RateLimiterTest {

    private final long[] now = {1_000_000};
    private final Clock clock = new Clock() {
        @Override
        public long millis() {
            return now[0];
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now[0]);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    };

    @Test
    void allowsTheBurstThenRefusesWithRetryAfter() {
        RateLimiter limiter = new RateLimiter(new RateLimit(0.5, 3), clock); // one action per 2 s
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.tryAcquire("k"));
        }
        assertEquals(2000, limiter.tryAcquire("k"));
        MatrixException e = assertThrows(MatrixException.class, () -> limiter.acquire("k"));
        assertEquals(429, e.status());
        assertEquals("M_LIMIT_EXCEEDED", e.errCode().name());
        assertEquals(2000L, e.toError().retryAfterMs());
    }

    @Test
    void refillsOverTime() {
        RateLimiter limiter = new RateLimiter(new RateLimit(0.5, 2), clock);
        limiter.acquire("k");
        limiter.acquire("k");
        now[0] += 1500;
        assertEquals(500, limiter.tryAcquire("k"), "three quarters of an action regained");
        now[0] += 500;
        assertEquals(0, limiter.tryAcquire("k"));
        now[0] += 1_000_000;
        assertEquals(0, limiter.tryAcquire("k"));
        assertEquals(0, limiter.tryAcquire("k"));
        assertEquals(2000, limiter.tryAcquire("k"), "never more than the burst");
    }

    @Test
    void keysAreIndependent() {
        RateLimiter limiter = new RateLimiter(new RateLimit(0.1, 1), clock);
        limiter.acquire("a");
        assertThrows(MatrixException.class, () -> limiter.acquire("a"));
        assertDoesNotThrow(() -> limiter.acquire("b"));
    }

    @Test
    void checkDoesNotConsume() {
        RateLimiter limiter = new RateLimiter(new RateLimit(1, 1), clock);
        limiter.check("k");
        limiter.check("k");
        limiter.acquire("k");
        assertThrows(MatrixException.class, () -> limiter.check("k"));
    }

    @Test
    void refusesNonsenseLimits() {
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(new RateLimit(0, 1), clock));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(new RateLimit(1, 0), clock));
    }

    @Test
    void aKeysOverrideReplacesTheLimitOrLiftsIt() {
        RateLimiter limiter = new RateLimiter(new RateLimit(0.5, 1), clock);
        java.util.Map<String, RateLimiter.KeyLimit> overrides = new java.util.HashMap<>();
        limiter.useOverrides(key -> java.util.Optional.ofNullable(overrides.get(key)));
        overrides.put("generous", new RateLimiter.KeyLimit(1, 5));
        overrides.put("free", new RateLimiter.KeyLimit(0, 0));
        for (int i = 0; i < 5; i++) {
            assertEquals(0, limiter.tryAcquire("generous"));
        }
        assertEquals(1000, limiter.tryAcquire("generous"), "its own rate: one a second");
        for (int i = 0; i < 100; i++) {
            limiter.acquire("free");
        }
        limiter.acquire("other");
        assertThrows(MatrixException.class, () -> limiter.acquire("other"), "the configured limit for the rest");
        overrides.remove("free");
        limiter.acquire("free");
        assertThrows(MatrixException.class, () -> limiter.check("free"));
    }
}
