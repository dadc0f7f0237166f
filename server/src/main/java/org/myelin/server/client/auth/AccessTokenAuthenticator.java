package org.myelin.server.client.auth;

import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.myelin.server.http.AccessLog;
import org.myelin.server.http.ClientAddress;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.accounts.AccessToken;
import org.myelin.storage.accounts.AccountRepository;
import org.myelin.storage.accounts.TokenRepository;

/**
 * The {@link Authenticator} of the client API: looks the access token up by its SHA-256
 * (client-server API, "Using access tokens"). Unknown or revoked tokens are 401
 * {@code M_UNKNOWN_TOKEN} with {@code soft_logout: false}: the session is gone. Expired
 * tokens are 401 {@code M_UNKNOWN_TOKEN} with {@code soft_logout: true}, as the spec prefers:
 * the client may refresh, or log in again on the same device.
 *
 * <p>Tokens are looked up through an {@link AccessTokenCache}: revocation takes effect on the next
 * request in this process, and within {@link AccessTokenCache#TTL_MS} on other processes sharing
 * the database. A device's last-seen time and address are written at most once a minute per token.
 */
public final class AccessTokenAuthenticator implements Authenticator {

    /** Where the requester is kept on the routing context once known. */
    public static final String REQUESTER_KEY = "myelin.requester";
    private static final long LAST_SEEN_INTERVAL_MS = 60_000;
    private static final int LAST_SEEN_PRUNE_SIZE = 10_000;

    private final TokenRepository tokens;
    private final AccountRepository accounts;
    private final AccessTokenCache cache;
    private final Clock clock;
    private volatile AppServiceTokens appServices = AppServiceTokens.NONE;
    /** Token id → when its device's last-seen was last written. */
    private final ConcurrentHashMap<Long, Long> lastSeenWritten = new ConcurrentHashMap<>();

    /** @param cache told of revocations by {@code tokens} and {@code accounts} (their {@code TokensRevoked}) */
    public AccessTokenAuthenticator(TokenRepository tokens, AccountRepository accounts, AccessTokenCache cache,
                                    Clock clock) {
        this.tokens = tokens;
        this.accounts = accounts;
        this.cache = cache;
        this.clock = clock;
    }

    /** Recognises application services' tokens, before users' (set once at start). */
    public void useAppServices(AppServiceTokens tokens) {
        this.appServices = tokens;
    }

    @Override
    public Requester require(RoutingContext ctx, boolean allowGuests) {
        Requester requester = optional(ctx).orElseThrow(MatrixException::missingToken);
        if (requester.isGuest() && !allowGuests) {
            throw MatrixException.of(ErrCode.M_GUEST_ACCESS_FORBIDDEN, "Guest access is not allowed here");
        }
        return requester;
    }

    @Override
    public Optional<Requester> optional(RoutingContext ctx) {
        return optional(ctx, false);
    }

    /**
     * As {@link #require(RoutingContext, boolean)} with guests allowed, also for a locked account:
     * a locked user may still log out, as in Synapse.
     */
    public Requester requireEvenIfLocked(RoutingContext ctx) {
        return optional(ctx, true).orElseThrow(MatrixException::missingToken);
    }

    private Optional<Requester> optional(RoutingContext ctx, boolean allowLocked) {
        Requester known = ctx.get(REQUESTER_KEY);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<String> token = tokenOf(ctx);
        if (token.isEmpty()) {
            return Optional.empty();
        }
        List<String> userIdParam = ctx.queryParam("user_id");
        Optional<Requester> appService = appServices.requester(token.get(),
                userIdParam.isEmpty() ? null : userIdParam.getFirst(), () -> clientAddress(ctx));
        // The address is only wanted for the once-a-minute last-seen write.
        Requester requester = appService.isPresent() ? appService.get()
                : authenticate(token.get(), () -> clientAddress(ctx), allowLocked);
        ctx.put(REQUESTER_KEY, requester);
        AccessLog.identify(ctx, requester.userId());
        return Optional.of(requester);
    }

    /**
     * The application service whose {@code as_token} the request carries, as its sender,
     * whatever {@code user_id} says (Synapse's {@code get_appservice_by_req}: an application
     * service registering a user names it with {@code user_id} before it exists); empty when
     * the request carries no token or a user's.
     */
    public Optional<Requester> appService(RoutingContext ctx) {
        return tokenOf(ctx).flatMap(token -> appServices.requester(token, null, () -> clientAddress(ctx)));
    }

    /** Finds the requester of {@code token}, or throws 401 M_UNKNOWN_TOKEN. */
    public Requester authenticate(String token, String clientAddress) {
        return authenticate(token, () -> clientAddress, false);
    }

    /** As {@link #authenticate(String, String)}; {@code clientAddress} is asked only when last-seen is written. */
    private Requester authenticate(String token, Supplier<String> clientAddress, boolean allowLocked) {
        byte[] hash = Tokens.hash(token);
        long seen = cache.revocationCount();
        AccessToken found = cache.find(hash, () -> tokens.findAccessToken(hash))
                .orElseThrow(() -> MatrixException.unknownToken("Unrecognised access token", false));
        if (found.deactivated()) {
            throw MatrixException.unknownToken("Unrecognised access token", false);
        }
        long now = clock.millis();
        if (found.expiresTs() != null && found.expiresTs() <= now) {
            throw MatrixException.unknownToken("Access token has expired", true);
        }
        if (found.locked() && !allowLocked) {
            throw MatrixException.userLocked();
        }
        if (!found.used()) {
            tokens.markUsed(found);
            cache.update(hash, new AccessToken(found.id(), found.userId(), found.deviceId(), found.expiresTs(),
                    found.refreshTokenId(), true, found.isGuest(), found.deactivated(), found.locked()), seen);
        }
        if (!found.deviceId().isEmpty()) { // an admin's login token has no device
            touch(found, now, clientAddress);
        }
        return new Requester(found.userId(), found.deviceId(), found.isGuest(), found.id());
    }

    /**
     * The access token of a request: the {@code Authorization: Bearer} header or the
     * {@code access_token} query parameter. Both at once is refused, as Synapse does.
     */
    static Optional<String> tokenOf(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        List<String> query = ctx.queryParam("access_token");
        String fromHeader = null;
        if (header != null) {
            String trimmed = header.trim();
            if (trimmed.length() > 7 && trimmed.regionMatches(true, 0, "Bearer ", 0, 7)) {
                fromHeader = trimmed.substring(7).trim();
            }
            if (fromHeader == null || fromHeader.isEmpty()) {
                throw MatrixException.of(ErrCode.M_MISSING_TOKEN, "Authorization header is not a Bearer token");
            }
        }
        if (fromHeader != null && !query.isEmpty()) {
            throw MatrixException.of(ErrCode.M_MISSING_TOKEN,
                    "Mixing Authorization headers and access_token query parameters");
        }
        if (fromHeader != null) {
            return Optional.of(fromHeader);
        }
        if (query.size() > 1) {
            throw MatrixException.of(ErrCode.M_MISSING_TOKEN, "More than one access_token query parameter");
        }
        return query.isEmpty() || query.getFirst().isEmpty() ? Optional.empty() : Optional.of(query.getFirst());
    }

    /** The client's address: the connection's, or what the reverse proxy forwarded ({@link ClientAddress}). */
    public static String clientAddress(RoutingContext ctx) {
        return ClientAddress.of(ctx);
    }

    private void touch(AccessToken token, long now, Supplier<String> address) {
        Long last = lastSeenWritten.get(token.id());
        if (last != null && now - last < LAST_SEEN_INTERVAL_MS) {
            return;
        }
        lastSeenWritten.put(token.id(), now);
        accounts.touchDevice(token.userId(), token.deviceId(), now, address.get());
        if (lastSeenWritten.size() > LAST_SEEN_PRUNE_SIZE) {
            lastSeenWritten.values().removeIf(written -> now - written >= LAST_SEEN_INTERVAL_MS);
        }
    }
}
