package org.myelin.server.federation;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.account.OpenIdTokens;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/**
 * Whom an OpenID token names (server-server API, "OpenID"). Asked by third parties that are not
 * homeservers (integration managers, widgets), so the request is not signed: the token is the
 * credential, and this route is the one federation route without X-Matrix authentication.
 */
public final class OpenIdUserInfoRoutes implements Routes {

    /** The answer: the token's owner, as OpenID Connect's UserInfo names it. */
    record UserInfo(String sub) {}

    private final OpenIdTokens tokens;

    public OpenIdUserInfoRoutes(OpenIdTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/federation/v1/openid/userinfo").handler(handlers.blocking(this::userInfo));
    }

    /**
     * {@code GET /_matrix/federation/v1/openid/userinfo?access_token=…}: {@code {"sub": user id}};
     * 401 M_MISSING_TOKEN without a token, 401 M_UNKNOWN_TOKEN for one unknown or expired.
     */
    JsonResponse userInfo(RoutingContext ctx) {
        String token = ctx.queryParams().get("access_token");
        if (token == null || token.isEmpty()) {
            throw MatrixException.of(ErrCode.M_MISSING_TOKEN, "Access Token required");
        }
        String owner = tokens.owner(token)
                .orElseThrow(() -> MatrixException.of(ErrCode.M_UNKNOWN_TOKEN, "Access Token unknown or expired"));
        return JsonResponse.ok(new UserInfo(owner));
    }
}
