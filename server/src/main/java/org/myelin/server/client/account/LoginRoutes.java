package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.myelin.server.client.auth.AccessTokenAuthenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.ratelimit.RateLimiters;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** Sessions: login, refresh and logout (client-server API, "Legacy login", "Refreshing access tokens", "Logout"). */
public final class LoginRoutes implements Routes {

    static final String PASSWORD_LOGIN = "m.login.password";
    static final String TOKEN_LOGIN = "m.login.token";

    /** The body of {@code POST /login}; the user is read by {@link UserIdentifiers} from the same JSON. */
    record LoginBody(String type, String password, String token, String deviceId, String initialDeviceDisplayName,
                     Boolean refreshToken) {}

    record LoginResponse(String userId, String accessToken, String refreshToken, Long expiresInMs,
                         String homeServer, String deviceId) {}

    /** A login flow; {@code get_login_token} only on {@code m.login.token}, when tokens may be asked for. */
    record LoginFlow(String type, Boolean getLoginToken) {}

    record LoginFlows(List<LoginFlow> flows) {}

    record RefreshBody(String refreshToken) {}

    record RefreshResponse(String accessToken, String refreshToken, Long expiresInMs) {}

    private final AccountServices services;

    public LoginRoutes(AccountServices services) {
        this.services = services;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v3/login").handler(handlers.blocking(ctx -> flows()));
        router.post("/_matrix/client/v3/login").handler(handlers.blocking(this::login));
        router.post("/_matrix/client/v3/refresh").handler(handlers.blocking(this::refresh));
        router.post("/_matrix/client/v3/logout").handler(handlers.blocking(this::logout));
        router.post("/_matrix/client/v3/logout/all").handler(handlers.blocking(this::logoutAll));
    }

    /**
     * {@code GET /_matrix/client/v3/login} (client-server API, "Legacy login"): password login,
     * and, while {@code auth.login_via_existing_session} is on, {@code m.login.token} with
     * {@code get_login_token: true}, as Synapse lists it.
     */
    JsonResponse flows() {
        if (services.loginTokens.enabled()) {
            return JsonResponse.ok(new LoginFlows(List.of(new LoginFlow(PASSWORD_LOGIN, null),
                    new LoginFlow(TOKEN_LOGIN, true))));
        }
        return JsonResponse.ok(new LoginFlows(List.of(new LoginFlow(PASSWORD_LOGIN, null))));
    }

    /**
     * {@code POST /_matrix/client/v3/login} (client-server API, "Legacy login", "Login tokens"):
     * {@code m.login.password} with an {@code m.id.user} identifier or the legacy {@code user},
     * or {@code m.login.token} with a token from {@code POST /login/get_token} (403 M_FORBIDDEN
     * when it is unknown, used or expired). 400 M_UNKNOWN for another login type, 403 M_FORBIDDEN
     * for wrong credentials, 429 when the address, the account or its failed attempts are over
     * their limit.
     */
    JsonResponse login(RoutingContext ctx) {
        RateLimiters limits = services.rateLimiters;
        String address = AccessTokenAuthenticator.clientAddress(ctx);
        limits.loginByAddress().acquire(address == null ? "" : address);
        LoginBody body = Json.bind(ctx, LoginBody.class);
        JsonNode tree = Json.parseBody(ctx);
        if (body.type() == null) {
            throw MatrixException.missingParam("Missing 'type'");
        }
        if (body.type().equals(TOKEN_LOGIN)) {
            return tokenLogin(body);
        }
        if (!body.type().equals(PASSWORD_LOGIN)) {
            throw MatrixException.unknownBadRequest("Unknown login type " + body.type());
        }
        String userId = UserIdentifiers.resolve(tree, services.serverName);
        limits.loginByAccount().acquire(userId);
        limits.loginFailures().check(userId);
        if (body.password() == null) {
            throw MatrixException.missingParam("Missing 'password'");
        }
        try {
            services.passwords.check(userId, body.password());
        } catch (MatrixException wrong) {
            limits.loginFailures().tryAcquire(userId);
            throw wrong;
        }
        return session(userId, body);
    }

    /**
     * {@code m.login.token}: the token is used up whatever follows, as in Synapse, so that a
     * token seen by someone else serves at most one login.
     */
    private JsonResponse tokenLogin(LoginBody body) {
        if (body.token() == null) {
            throw MatrixException.missingParam("Missing 'token'");
        }
        String userId = services.loginTokens.consume(body.token())
                .orElseThrow(() -> MatrixException.forbidden("Invalid login token"));
        return session(userId, body);
    }

    private JsonResponse session(String userId, LoginBody body) {
        Sessions.Issued s = services.sessions.start(userId, body.deviceId(), body.initialDeviceDisplayName(),
                Boolean.TRUE.equals(body.refreshToken()));
        return JsonResponse.ok(new LoginResponse(s.userId(), s.accessToken(), s.refreshToken(), s.expiresInMs(),
                services.serverName, s.deviceId()));
    }

    /**
     * {@code POST /_matrix/client/v3/refresh} (client-server API, "Refreshing access tokens"):
     * a new access and refresh token for the refresh token's device; 401 M_UNKNOWN_TOKEN when
     * the refresh token is unknown or retired.
     */
    JsonResponse refresh(RoutingContext ctx) {
        RefreshBody body = Json.bind(ctx, RefreshBody.class);
        if (body.refreshToken() == null) {
            throw MatrixException.missingParam("Missing 'refresh_token'");
        }
        Sessions.Issued s = services.sessions.refresh(body.refreshToken())
                .orElseThrow(() -> MatrixException.unknownToken("Unknown or already used refresh token", false));
        return JsonResponse.ok(new RefreshResponse(s.accessToken(), s.refreshToken(), s.expiresInMs()));
    }

    /**
     * {@code POST /_matrix/client/v3/logout} (client-server API, "Logout"): deletes the
     * requester's device, and with it the access token used and every other token of it. A token
     * an admin obtained to act as the user belongs to no device and is revoked alone. A locked
     * user may log out (Synapse's {@code allow_locked}).
     */
    JsonResponse logout(RoutingContext ctx) {
        Requester requester = services.authenticator.requireEvenIfLocked(ctx);
        if (requester.deviceId().isEmpty()) { // an admin's login token: it alone goes, as in Synapse
            services.tokens.revokeAccessToken(requester.tokenId());
            return JsonResponse.empty();
        }
        List<String> deleted = services.accounts.deleteDevices(requester.userId(), List.of(requester.deviceId()));
        services.devicesDeleted(requester.userId(), deleted);
        return JsonResponse.empty();
    }

    /**
     * {@code POST /_matrix/client/v3/logout/all} (client-server API, "Logout"): deletes every
     * device of the requester, and so every access token, the one used included.
     */
    JsonResponse logoutAll(RoutingContext ctx) {
        Requester requester = services.authenticator.requireEvenIfLocked(ctx);
        services.devicesDeleted(requester.userId(), services.accounts.deleteAllDevices(requester.userId()));
        return JsonResponse.empty();
    }
}
