package org.myelin.server.admin;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.regex.Pattern;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.auth.Tokens;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.accounts.RegistrationToken;

/**
 * Registration tokens for admins, the subset of Synapse's admin API that makes
 * {@code registration.require_token} usable: create, list, show. Every endpoint needs the
 * access token of a server admin (403 M_FORBIDDEN otherwise).
 */
public final class RegistrationTokenRoutes implements Routes {

    /** The opaque identifier grammar, at most 64 characters (client-server API, "Token-authenticated registration"). */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~-]{1,64}");
    private static final int DEFAULT_LENGTH = 16;

    /** The body of {@code POST /_synapse/admin/v1/registration_tokens/new}. */
    record NewTokenBody(String token, Integer usesAllowed, Long expiryTime, Integer length) {}

    record TokenView(String token, Integer usesAllowed, int pending, int completed, Long expiryTime) {
        static TokenView of(RegistrationToken t) {
            return new TokenView(t.token(), t.usesAllowed(), t.pending(), t.completed(), t.expiryTime());
        }
    }

    record TokenList(List<TokenView> registrationTokens) {}

    private final AccountServices services;

    public RegistrationTokenRoutes(AccountServices services) {
        this.services = services;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_synapse/admin/v1/registration_tokens/new").handler(handlers.blocking(this::create));
        router.get("/_synapse/admin/v1/registration_tokens").handler(handlers.blocking(this::list));
        router.get("/_synapse/admin/v1/registration_tokens/:token").handler(handlers.blocking(this::show));
    }

    /**
     * {@code POST /_synapse/admin/v1/registration_tokens/new} (Synapse admin API,
     * "Registration Tokens"): a given or generated token, optionally limited in uses and time;
     * 400 M_INVALID_PARAM for a bad or existing token.
     */
    JsonResponse create(RoutingContext ctx) {
        requireAdmin(ctx);
        NewTokenBody body = Json.bind(ctx, NewTokenBody.class);
        if (body.usesAllowed() != null && body.usesAllowed() < 0) {
            throw MatrixException.invalidParam("uses_allowed must be a non-negative integer or null");
        }
        if (body.expiryTime() != null && body.expiryTime() < services.clock.millis()) {
            throw MatrixException.invalidParam("expiry_time must not be in the past");
        }
        String token = body.token();
        if (token != null) {
            if (!TOKEN.matcher(token).matches()) {
                throw MatrixException.invalidParam("token must be 1-64 characters of A-Z a-z 0-9 . _ ~ -");
            }
            if (!services.registrationTokens.create(token, body.usesAllowed(), body.expiryTime())) {
                throw MatrixException.invalidParam("Token already exists");
            }
        } else {
            int length = body.length() == null ? DEFAULT_LENGTH : body.length();
            if (length < 1 || length > 64) {
                throw MatrixException.invalidParam("length must be between 1 and 64");
            }
            do {
                token = Tokens.randomText(48).replace('-', 'x').replace('_', 'y').substring(0, length);
            } while (!services.registrationTokens.create(token, body.usesAllowed(), body.expiryTime()));
        }
        return JsonResponse.ok(TokenView.of(services.registrationTokens.find(token).orElseThrow()));
    }

    /** {@code GET /_synapse/admin/v1/registration_tokens} (Synapse admin API, "Registration Tokens"). */
    JsonResponse list(RoutingContext ctx) {
        requireAdmin(ctx);
        return JsonResponse.ok(new TokenList(services.registrationTokens.all().stream().map(TokenView::of).toList()));
    }

    /** {@code GET /_synapse/admin/v1/registration_tokens/{token}} (Synapse admin API, "Registration Tokens"): 404 if unknown. */
    JsonResponse show(RoutingContext ctx) {
        requireAdmin(ctx);
        return JsonResponse.ok(services.registrationTokens.find(ctx.pathParam("token")).map(TokenView::of)
                .orElseThrow(() -> MatrixException.notFound("No such registration token")));
    }

    private void requireAdmin(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx);
        if (!services.isAdmin(requester.userId())) {
            throw MatrixException.forbidden("You are not a server admin");
        }
    }
}
