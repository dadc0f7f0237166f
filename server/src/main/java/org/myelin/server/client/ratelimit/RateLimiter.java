package org.myelin.server.client.ratelimit;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.myelin.server.config.HomeserverConfig.RateLimit;
import org.myelin.server.http.MatrixException;

/**
 * A token bucket per key (a user id, a client address), in memory, as Synapse's
 * {@code Ratelimiter}: a key may act {@code burst} times at once, and regains one action every
 * {@code 1 / per_second} seconds. A refused action is 429 {@code M_LIMIT_EXCEEDED} with
 * {@code retry_after_ms} saying when the next one will be allowed.
 *
 * <pre>{@code
 * limiter.acquire(requester.userId());   // throws 429 when the user is over the limit
 * }</pre>
 *
 * Thread-safe without locks held across anything but one map entry. Buckets that have
 * refilled are dropped now and then, so memory follows the keys active in the last
 * {@code burst / per_second} seconds.
 */
public final class RateLimiter {

    private static final int PRUNE_EVERY = 1024;

    /** A bucket: how many actions it holds, as of {@code atMs}. */
    private record Bucket(double tokens, long atMs) {}

    /**
     * A limit of one key instead of the configured one (Synapse's admin API, "Override ratelimiting
     * for users"): {@code perSecond} 0 means the key is not limited at all.
     */
    public record KeyLimit(double perSecond, int burst) {
        boolean unlimited() {
            return !(perSecond > 0);
        }
    }

    /** Where a key's override comes from. */
    @FunctionalInterface
    public interface Overrides {
        Overrides NONE = key -> Optional.empty();

        Optional<KeyLimit> of(String key);
    }

    /** The limit that applies to one action: per millisecond and burst. */
    private record Limit(double perMs, int burst) {}

    private final double perMs;
    private final int burst;
    private final Clock clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicInteger operations = new AtomicInteger();
    private volatile Overrides overrides = Overrides.NONE;

    public RateLimiter(RateLimit limit, Clock clock) {
        if (!(limit.perSecond() > 0) || limit.burst() < 1) {
            throw new IllegalArgumentException("rate limit needs per_second > 0 and burst >= 1: " + limit);
        }
        this.perMs = limit.perSecond() / 1000.0;
        this.burst = limit.burst();
        this.clock = clock;
    }

    /** Keys limited otherwise than the config says (users an admin exempted or limited differently). */
    public void useOverrides(Overrides overrides) {
        this.overrides = overrides;
    }

    /** The overrides in use, so that another rule can be put in front of them. */
    public Overrides overrides() {
        return overrides;
    }

    /** Takes one action for {@code key}, or throws 429 M_LIMIT_EXCEEDED (taking nothing). */
    public void acquire(String key) {
        long retryAfter = tryAcquire(key);
        if (retryAfter > 0) {
            throw MatrixException.limitExceeded(retryAfter);
        }
    }

    /**
     * Takes one action for {@code key} if allowed: returns 0 then, otherwise the milliseconds
     * until one is allowed (and takes nothing).
     */
    public long tryAcquire(String key) {
        Limit limit = limitOf(key);
        if (limit == null) {
            return 0;
        }
        long now = clock.millis();
        long[] retryAfter = {0};
        buckets.compute(key, (k, bucket) -> {
            double tokens = available(bucket, now, limit);
            if (tokens >= 1) {
                return new Bucket(tokens - 1, now);
            }
            retryAfter[0] = millisUntilOne(tokens, limit);
            return new Bucket(tokens, now);
        });
        pruneNow(now);
        return retryAfter[0];
    }

    /** Throws 429 M_LIMIT_EXCEEDED if {@code key} could not act now, without taking anything. */
    public void check(String key) {
        Limit limit = limitOf(key);
        if (limit == null) {
            return;
        }
        Bucket bucket = buckets.get(key);
        double tokens = available(bucket, clock.millis(), limit);
        if (tokens < 1) {
            throw MatrixException.limitExceeded(millisUntilOne(tokens, limit));
        }
    }

    /** The key's limit: its override if it has one, else the configured one; null if it is not limited. */
    private Limit limitOf(String key) {
        Optional<KeyLimit> override = overrides.of(key);
        if (override.isEmpty()) {
            return new Limit(perMs, burst);
        }
        KeyLimit o = override.get();
        return o.unlimited() ? null : new Limit(o.perSecond() / 1000.0, Math.max(1, o.burst()));
    }

    private static double available(Bucket bucket, long now, Limit limit) {
        if (bucket == null) {
            return limit.burst();
        }
        long elapsed = Math.max(0, now - bucket.atMs());
        return Math.min(limit.burst(), bucket.tokens() + elapsed * limit.perMs());
    }

    private static long millisUntilOne(double tokens, Limit limit) {
        return Math.max(1, (long) Math.ceil((1 - tokens) / limit.perMs()));
    }

    private void pruneNow(long now) {
        if (operations.incrementAndGet() % PRUNE_EVERY != 0) {
            return;
        }
        Limit configured = new Limit(perMs, burst);
        // An overridden key's bucket may go too: it is full again long before anyone looks.
        buckets.entrySet().removeIf(e -> available(e.getValue(), now, configured) >= burst);
    }
}
