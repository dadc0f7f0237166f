package org.myelin.server.client.account;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** OpenID tokens for a user to hand to third parties (client-server API, "OpenID"). */
public final class OpenIdRoutes implements Routes {

    /** The body of a token request: the OpenID Connect token response, with this server's name. */
    record OpenIdToken(String accessToken, String tokenType, String matrixServerName, long expiresIn) {}

    private final Authenticator auth;
    private final OpenIdTokens tokens;
    private final String serverName;

    public OpenIdRoutes(Authenticator auth, OpenIdTokens tokens, String serverName) {
        this.auth = auth;
        this.tokens = tokens;
        this.serverName = serverName;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/user/:userId/openid/request_token").handler(handlers.blocking(this::requestToken));
    }

    /**
     * {@code POST /_matrix/client/v3/user/{userId}/openid/request_token}: a token naming the
     * requester, who must be the path's user (403 M_FORBIDDEN otherwise); the body must be a JSON
     * object, empty today.
     */
    JsonResponse requestToken(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        if (!requester.userId().equals(Params.path(ctx, "userId"))) {
            throw MatrixException.forbidden("Cannot request tokens for other users.");
        }
        if (!Json.parseBody(ctx).isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        OpenIdTokens.Issued issued = tokens.issue(requester.userId());
        return JsonResponse.ok(new OpenIdToken(issued.accessToken(), "Bearer", serverName, issued.expiresInSeconds()));
    }
}
