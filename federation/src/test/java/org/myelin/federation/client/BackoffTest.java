package org.myelin.federation.client;

import org.junit.jupiter.api.Test;
import org.myelin.federation.FederationSettings;
import org.myelin.federation.testing.MutableClock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-destination exponential backoff: doubling, capped, reset by a success. */
class BackoffTest {

    @Test
    void doublesUpToTheCapAndResetsOnSuccess() {
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        Backoff backoff = new Backoff(new FederationSettings.BackoffSettings(Duration.ofSeconds(10),
                Duration.ofSeconds(60)), Clock.fixed(start, ZoneOffset.UTC));
        assertFalse(backoff.isBackingOff("b.org"));
        assertEquals(10_000, backoff.failure("b.org"));
        assertTrue(backoff.isBackingOff("b.org"));
        assertEquals(start.toEpochMilli() + 10_000, backoff.retryAt("b.org"));
        assertEquals(20_000, backoff.failure("b.org"));
        assertEquals(40_000, backoff.failure("b.org"));
        assertEquals(60_000, backoff.failure("b.org"));
        assertEquals(60_000, backoff.failure("b.org"));
        assertEquals(5, backoff.failures("b.org"));
        assertFalse(backoff.isBackingOff("c.org"), "per destination");
        backoff.success("b.org");
        assertFalse(backoff.isBackingOff("b.org"));
        assertEquals(0, backoff.failures("b.org"));
        assertEquals(10_000, backoff.failure("b.org"));
    }

    @Test
    void aWaitEndsWithTime() {
        MutableClock clock = new MutableClock();
        Backoff backoff = new Backoff(new FederationSettings.BackoffSettings(Duration.ofSeconds(10),
                Duration.ofSeconds(60)), clock);
        backoff.failure("b.org");
        clock.advance(Duration.ofSeconds(9));
        assertTrue(backoff.isBackingOff("b.org"));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(backoff.isBackingOff("b.org"));
        assertEquals(1, backoff.failures("b.org"), "the count stays until a success");
    }

    @Test
    void timingsTellWhenTheFailuresStartedTheLatestAndTheWait() {
        MutableClock clock = new MutableClock();
        Backoff backoff = new Backoff(new FederationSettings.BackoffSettings(Duration.ofSeconds(10),
                Duration.ofSeconds(60)), clock);
        assertTrue(backoff.timing("b.org").isEmpty());
        long first = clock.millis();
        backoff.failure("b.org");
        clock.advance(Duration.ofSeconds(15));
        backoff.failure("b.org");
        Backoff.Timing timing = backoff.timing("b.org").orElseThrow();
        assertEquals(first, timing.failureTs());
        assertEquals(first + 15_000, timing.retryLastTs());
        assertEquals(20_000, timing.retryInterval());
        assertEquals(java.util.Set.of("b.org"), backoff.failing());
        backoff.success("b.org");
        assertTrue(backoff.timing("b.org").isEmpty());
        assertTrue(backoff.failing().isEmpty());
    }
}
