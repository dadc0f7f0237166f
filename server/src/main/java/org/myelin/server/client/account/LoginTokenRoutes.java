package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.auth.UiaOutcome;
import org.myelin.server.client.ratelimit.RateLimiter;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

import java.util.List;

/**
 * {@code POST /_matrix/client/v1/login/get_token} (client-server API, "Login tokens", MSC3882): a
 * logged-in client gets a single-use token with which another client logs in as the same user.
 */
public final class LoginTokenRoutes implements Routes {

    /** One token a minute per user, as Synapse and the spec advise: each is a new session. */
    static final HomeserverConfig.RateLimit ONE_A_MINUTE = new HomeserverConfig.RateLimit(1 / 60.0, 1);

    record GetTokenBody(JsonNode auth) {}

    record LoginToken(String loginToken, long expiresInMs) {}

    private final AccountServices services;
    private final RateLimiter perUser;

    public LoginTokenRoutes(AccountServices services) {
        this.services = services;
        this.perUser = new RateLimiter(ONE_A_MINUTE, services.clock);
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v1/login/get_token").handler(handlers.blocking(this::getToken));
    }

    /**
     * {@code POST /_matrix/client/v1/login/get_token}: {@code login_token} and
     * {@code expires_in_ms}. While {@code auth.login_via_existing_session} is off (the default)
     * 400 M_FORBIDDEN: the spec's 400 for a user who may not get tokens, with Synapse's errcode for
     * a feature turned off (Synapse leaves the endpoint out, which would be M_UNRECOGNIZED, the
     * answer for a path the server does not know at all). When on, under user-interactive auth
     * with the password, asked again for every token (no session is reused), then one token a
     * minute (429 M_LIMIT_EXCEEDED).
     */
    JsonResponse getToken(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx);
        LoginTokens tokens = services.loginTokens;
        if (!tokens.enabled()) {
            throw MatrixException.forbidden("Login via an existing session is disabled on this server")
                    .withStatus(400);
        }
        GetTokenBody body = Json.bind(ctx, GetTokenBody.class);
        if (tokens.requireUiAuth()) {
            UiaOutcome outcome = services.uia.authenticate("login token " + requester.userId(), body.auth(),
                    List.of(services.passwordFlow(requester.userId())));
            if (outcome instanceof UiaOutcome.Challenge challenge) {
                return challenge.response();
            }
            services.uia.finish(((UiaOutcome.Authenticated) outcome).session());
        }
        perUser.acquire(requester.userId());
        LoginTokens.Issued issued = tokens.issue(requester.userId());
        return JsonResponse.ok(new LoginToken(issued.loginToken(), issued.expiresInMs()));
    }
}
