package org.myelin.server.admin;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.myelin.server.client.ratelimit.RateLimiter;
import org.myelin.server.client.rooms.SenderRestrictions;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.accounts.AdminUserRepository;
import org.myelin.storage.accounts.RateLimitOverrideRepository;
import org.myelin.storage.rooms.BlockedRoomRepository;

/**
 * What admins restrict, as the send path and the rate limiter ask it: suspended and shadow-banned
 * users, blocked rooms, per-user rate-limit overrides. Users' flags and overrides are asked on
 * every send, so they are cached; a change made through the admin API drops the user's entry at
 * once here, and other processes sharing the database see it within {@link #STALE_AFTER}.
 */
public final class AdminRestrictions implements SenderRestrictions, RateLimiter.Overrides {

    static final Duration STALE_AFTER = Duration.ofSeconds(30);

    private record Flags(boolean suspended, boolean shadowBanned) {
        static final Flags NONE = new Flags(false, false);
    }

    private final AdminUserRepository users;
    private final BlockedRoomRepository blockedRooms;
    private final RateLimitOverrideRepository overrides;
    private final Cache<String, Flags> flags = Caffeine.newBuilder().recordStats()
            .maximumSize(50_000).expireAfterWrite(STALE_AFTER).build();
    private final Cache<String, Optional<RateLimiter.KeyLimit>> limits = Caffeine.newBuilder().recordStats()
            .maximumSize(50_000).expireAfterWrite(STALE_AFTER).build();

    public AdminRestrictions(AdminUserRepository users, BlockedRoomRepository blockedRooms,
                             RateLimitOverrideRepository overrides) {
        this.users = users;
        this.blockedRooms = blockedRooms;
        this.overrides = overrides;
    }

    @Override
    public void checkMaySend(String userId) {
        if (flags(userId).suspended()) {
            throw MatrixException.of(ErrCode.M_USER_SUSPENDED, "Your account has been suspended by a server admin");
        }
    }

    @Override
    public boolean isShadowBanned(String userId) {
        return flags(userId).shadowBanned();
    }

    @Override
    public void checkNotBlocked(String roomId) {
        if (blockedRooms.blockedBy(roomId).isPresent()) {
            throw MatrixException.forbidden("This room has been blocked on this server");
        }
    }

    @Override
    public Optional<RateLimiter.KeyLimit> of(String userId) {
        return limits.get(userId, id -> overrides.find(id)
                .map(o -> new RateLimiter.KeyLimit(o.messagesPerSecond(), o.burstCount())));
    }

    /** An admin changed the user's flags or rate-limit override: read them again. */
    public void changed(String userId) {
        flags.invalidate(userId);
        limits.invalidate(userId);
    }

    private Flags flags(String userId) {
        return flags.get(userId, id -> users.find(id)
                .map(u -> new Flags(u.suspended(), u.shadowBanned())).orElse(Flags.NONE));
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("admin_user_flags", flags, "admin_rate_limits", limits);
    }
}
