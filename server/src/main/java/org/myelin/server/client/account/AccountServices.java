package org.myelin.server.client.account;

import com.github.benmanes.caffeine.cache.Cache;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.myelin.server.client.auth.AccessTokenAuthenticator;
import org.myelin.server.client.auth.AccessTokenCache;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.PasswordHasher;
import org.myelin.server.client.auth.UserInteractiveAuth;
import org.myelin.server.client.ratelimit.RateLimiters;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.storage.accounts.AccountRepository;
import org.myelin.storage.accounts.DehydratedDeviceRepository;
import org.myelin.storage.accounts.LoginTokenRepository;
import org.myelin.storage.accounts.OpenIdTokenRepository;
import org.myelin.storage.accounts.RegistrationTokenRepository;
import org.myelin.storage.accounts.TokenRepository;
import org.myelin.storage.accounts.TokensRevoked;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accounts side of the homeserver, wired by constructors: accounts, devices and tokens in
 * storage, password hashing, the {@link Authenticator} every authenticated endpoint uses,
 * user-interactive auth, rate limiters, registration and sessions.
 */
public final class AccountServices {

    private static final Logger LOG = LoggerFactory.getLogger(AccountServices.class);

    public final String serverName;
    public final Clock clock;
    public final AccountRepository accounts;
    public final DehydratedDeviceRepository dehydratedDevices;
    public final TokenRepository tokens;
    public final RegistrationTokenRepository registrationTokens;
    public final PasswordHasher hasher;
    public final Passwords passwords;
    public final AccessTokenAuthenticator authenticator;
    public final UserInteractiveAuth uia;
    public final RateLimiters rateLimiters;
    public final Sessions sessions;
    public final Registration registration;
    /** OpenID tokens users hand to third parties. */
    public final OpenIdTokens openIdTokens;
    /** Login tokens ({@code m.login.token}) for logging in with an existing session. */
    public final LoginTokens loginTokens;
    private final AccessTokenCache tokenCache;
    private final List<AccountLifecycle> lifecycle = new CopyOnWriteArrayList<>();
    private volatile DeviceListAnnouncer deviceLists = DeviceListAnnouncer.COMMIT_ONLY;

    public AccountServices(DataSource dataSource, HomeserverConfig config, Clock clock) {
        this.serverName = config.serverName();
        this.clock = clock;
        this.tokenCache = new AccessTokenCache(clock);
        this.accounts = new AccountRepository(dataSource, tokenCache::revoked);
        this.tokens = new TokenRepository(dataSource, tokenCache::revoked);
        this.dehydratedDevices = new DehydratedDeviceRepository(dataSource, tokenCache::revoked);
        this.registrationTokens = new RegistrationTokenRepository(dataSource);
        this.hasher = new PasswordHasher(config.auth().passwordHashing());
        this.passwords = new Passwords(accounts, hasher);
        this.authenticator = new AccessTokenAuthenticator(tokens, accounts, tokenCache, clock);
        this.uia = new UserInteractiveAuth(clock);
        this.rateLimiters = RateLimiters.from(config.rateLimits(), clock);
        this.sessions = new Sessions(tokens, config.auth(), clock);
        this.registration = new Registration(this, config, new RegistrationTokenStage(registrationTokens, clock));
        this.openIdTokens = new OpenIdTokens(new OpenIdTokenRepository(dataSource), clock);
        this.loginTokens = new LoginTokens(new LoginTokenRepository(dataSource), config.auth().loginViaExistingSession(),
                clock);
    }

    /** What to tell when a user's tokens must be looked up again (revoked, or the account locked). */
    public TokensRevoked tokensRevoked() {
        return tokenCache::revoked;
    }

    /** Registers what must happen when devices are deleted or accounts deactivated. */
    public void addLifecycleListener(AccountLifecycle listener) {
        lifecycle.add(listener);
    }

    /** Sets how changes of a user's device list made here (a device renamed) are announced. */
    public void announceDeviceListsWith(DeviceListAnnouncer announcer) {
        this.deviceLists = announcer;
    }

    /**
     * Renames one of the user's devices; false if the user has no such device. A new name is a
     * change of the user's device list, announced as every other (Synapse's {@code update_device}).
     */
    public boolean renameDevice(String userId, String deviceId, String displayName) {
        boolean[] found = new boolean[1];
        deviceLists.announce(userId, () -> {
            long[] position = {-1};
            found[0] = accounts.renameDevice(userId, deviceId, displayName, p -> position[0] = p);
            return position[0] < 0 ? OptionalLong.empty() : OptionalLong.of(position[0]);
        });
        return found[0];
    }

    /** The {@code m.login.password} UIA stage for requests of {@code userId}. */
    public UserInteractiveAuth.Flow passwordFlow(String userId) {
        return UserInteractiveAuth.Flow.of(new PasswordStage(passwords, serverName, userId));
    }

    /** Whether {@code userId} is a local server admin. */
    public boolean isAdmin(String userId) {
        return accounts.account(userId).map(a -> a.isAdmin() && !a.deactivated()).orElse(false);
    }

    /** Tells the lifecycle listeners that devices of {@code userId} were deleted (after the commit). */
    public void devicesDeleted(String userId, List<String> deviceIds) {
        if (deviceIds.isEmpty()) {
            return;
        }
        for (AccountLifecycle l : lifecycle) {
            try {
                l.devicesDeleted(userId, deviceIds);
            } catch (RuntimeException e) {
                LOG.warn("Device deletion listener {} failed for {}", l, userId, e);
            }
        }
    }

    /** Tells the lifecycle listeners that {@code userId} was deactivated (after the commit). */
    public void accountDeactivated(String userId) {
        for (AccountLifecycle l : lifecycle) {
            try {
                l.accountDeactivated(userId);
            } catch (RuntimeException e) {
                LOG.warn("Deactivation listener {} failed for {}", l, userId, e);
            }
        }
    }

    /** Accounts' caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return tokenCache.caches();
    }
}
