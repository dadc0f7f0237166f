package org.myelin.server.client.ratelimit;

import java.time.Clock;
import org.myelin.server.config.HomeserverConfig.RateLimits;

/**
 * The homeserver's rate limiters, one per {@code rate_limits} entry of the config.
 *
 * @param loginByAddress login attempts per client address
 * @param loginByAccount login attempts per account tried
 * @param loginFailures  failed logins per account
 * @param registration   registrations per client address
 * @param message        messages per sending user
 */
public record RateLimiters(RateLimiter loginByAddress, RateLimiter loginByAccount, RateLimiter loginFailures,
                           RateLimiter registration, RateLimiter message) {

    public static RateLimiters from(RateLimits config, Clock clock) {
        return new RateLimiters(new RateLimiter(config.login(), clock), new RateLimiter(config.login(), clock),
                new RateLimiter(config.loginFailures(), clock), new RateLimiter(config.registration(), clock),
                new RateLimiter(config.message(), clock));
    }
}
