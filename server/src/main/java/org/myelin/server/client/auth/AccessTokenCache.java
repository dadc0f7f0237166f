package org.myelin.server.client.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.storage.accounts.AccessToken;

import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Recently used access tokens by their hash, so that a request does not look its token up in the
 * store each time. Revocation stays immediate in this process: every path that deletes tokens or
 * deactivates an account tells {@link #revoked(String)} after its commit (through the
 * repositories' {@code TokensRevoked}), which drops the user's tokens; a lookup that raced with a
 * revocation is not kept. Another process sharing the database revokes here within
 * {@link #TTL_MS}, after which an entry is read again.
 */
public final class AccessTokenCache {

    /** How long an entry is trusted without reading the store again. */
    static final long TTL_MS = 60_000;
    private static final int MAX_TOKENS = 10_000;

    private record Cached(AccessToken token, long loadedAt) {
    }

    private final Clock clock;
    private final AtomicLong revocations = new AtomicLong();
    /**
     * Not an access-ordered map behind one lock: every request of every user reads it, and that
     * lock was a visible share of a busy server's CPU. Caffeine reads without a lock.
     */
    private final Cache<String, Cached> cache = Caffeine.newBuilder().maximumSize(MAX_TOKENS).recordStats().build();
    private final Map<String, Cached> byHash = cache.asMap();

    public AccessTokenCache(Clock clock) {
        this.clock = clock;
    }

    /** The token with {@code hash}: cached, or from {@code load} (and then cached). */
    Optional<AccessToken> find(byte[] hash, Supplier<Optional<AccessToken>> load) {
        String key = HexFormat.of().formatHex(hash);
        long now = clock.millis();
        Cached known = cache.getIfPresent(key);
        if (known != null && now - known.loadedAt() < timeToLive(hash)) {
            return Optional.of(known.token());
        }
        long seen = revocations.get();
        Optional<AccessToken> loaded = load.get();
        loaded.ifPresentOrElse(token -> keep(key, token, now, seen), () -> byHash.remove(key));
        return loaded;
    }

    /**
     * Replaces a cached token, e.g. once it is marked used; unless a revocation came after
     * {@code seen} was read (before the token was found).
     */
    void update(byte[] hash, AccessToken token, long seen) {
        keep(HexFormat.of().formatHex(hash), token, clock.millis(), seen);
    }

    /**
     * How long the token with {@code hash} is trusted: between half of {@link #TTL_MS} and all of
     * it, by the hash. Clients that connect together (a restart, a benchmark's start) would
     * otherwise all read their tokens again at the same moment, every {@link #TTL_MS}, and queue
     * for the database's connections behind each other.
     */
    static long timeToLive(byte[] hash) {
        return TTL_MS - (hash[0] & 0xFF) * (TTL_MS / 2) / 256;
    }

    /** The revocation count: read it before finding a token to {@link #update} later. */
    long revocationCount() {
        return revocations.get();
    }

    /** Some of {@code userId}'s tokens were deleted, or the account deactivated: forget all of theirs. */
    public void revoked(String userId) {
        revocations.incrementAndGet();
        byHash.values().removeIf(e -> e.token().userId().equals(userId));
    }

    private void keep(String key, AccessToken token, long loadedAt, long seen) {
        // Kept only if no revocation happened since the lookup began: it may have read a token
        // that is gone now. A revocation after this removes the entry itself.
        Cached kept = new Cached(token, loadedAt);
        byHash.compute(key, (k, old) -> revocations.get() == seen ? kept : old);
        if (revocations.get() != seen) {
            // A revocation counted after the check above may have swept the map before the entry
            // was in it: take it out again. (One counted later sweeps after it is in.)
            byHash.remove(key, kept);
        }
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("access_tokens", cache);
    }
}
