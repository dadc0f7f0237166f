package org.myelin.server.client.auth;

import org.junit.jupiter.api.Test;
import org.myelin.storage.accounts.AccessToken;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessTokenCacheTest {

    static final byte[] HASH = {1, 2, 3};
    static final AccessToken ALICE = new AccessToken(7, "@alice:test", "DEV", null, null, true, false, false);

    final AtomicLong millis = new AtomicLong(1_000_000);
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    };
    final AccessTokenCache cache = new AccessTokenCache(clock);
    final AtomicInteger lookups = new AtomicInteger();

    Optional<AccessToken> find() {
        return cache.find(HASH, () -> {
            lookups.incrementAndGet();
            return Optional.of(ALICE);
        });
    }

    @Test
    void aTokenIsLookedUpOnce() {
        find();
        find();
        assertEquals(1, lookups.get());
    }

    @Test
    void aRevocationDropsTheUsersTokensAtOnce() {
        find();
        cache.revoked("@bob:test");
        find();
        assertEquals(1, lookups.get(), "another user's revocation leaves it");
        cache.revoked("@alice:test");
        find();
        assertEquals(2, lookups.get());
    }

    @Test
    void aLookupThatRacedWithARevocationIsNotKept() {
        Optional<AccessToken> raced = cache.find(HASH, () -> {
            lookups.incrementAndGet();
            cache.revoked("@alice:test"); // committed while the lookup read the old row
            return Optional.of(ALICE);
        });
        assertTrue(raced.isPresent());
        find();
        assertEquals(2, lookups.get(), "looked up again");
    }

    @Test
    void anUnknownTokenIsNotRemembered() {
        assertTrue(cache.find(HASH, Optional::empty).isEmpty());
        find();
        assertEquals(1, lookups.get());
    }

    @Test
    void otherProcessesRevocationsShowAfterTheTimeToLive() {
        find();
        millis.addAndGet(AccessTokenCache.TTL_MS / 2 - 1);
        find();
        assertEquals(1, lookups.get(), "trusted for at least half the time to live");
        millis.addAndGet(AccessTokenCache.TTL_MS / 2 + 1);
        find();
        assertEquals(2, lookups.get(), "read again within the time to live");
    }

    /** Tokens loaded together (clients reconnecting after a restart) are not all read again together. */
    @Test
    void tokensLoadedTogetherAreReadAgainAtDifferentTimes() {
        java.util.Set<Long> lifetimes = new java.util.HashSet<>();
        for (int i = 0; i < 100; i++) {
            long ttl = AccessTokenCache.timeToLive(Tokens.hash("token-" + i));
            assertTrue(ttl > AccessTokenCache.TTL_MS / 2 && ttl <= AccessTokenCache.TTL_MS, () -> "ttl " + ttl);
            lifetimes.add(ttl / 1000);
        }
        assertTrue(lifetimes.size() >= 20, () -> "seconds at which 100 tokens expire: " + lifetimes);
    }

    @Test
    void manyTokensAreBoundedAndRevocationStillReachesThem() {
        for (int i = 0; i < 10_050; i++) {
            byte[] hash = {(byte) i, (byte) (i >> 8), 9};
            AccessToken token = new AccessToken(i, "@u" + i + ":test", "DEV", null, null, true, false, false);
            cache.find(hash, () -> Optional.of(token));
        }
        find();
        find();
        assertEquals(1, lookups.get(), "still a cache past its bound");
        cache.revoked("@alice:test");
        find();
        assertEquals(2, lookups.get(), "revoked: looked up again");
    }
}
