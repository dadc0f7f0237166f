package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/** Claiming one-time keys to start Olm sessions (client-server API, "Key management API"). */
public final class KeyClaimRoutes implements Routes {

    private final Authenticator auth;
    private final KeyClaims claims;

    KeyClaimRoutes(Authenticator auth, KeyClaims claims) {
        this.auth = auth;
        this.claims = claims;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/keys/claim").handler(handlers.blocking(this::claim));
    }

    /**
     * {@code POST /_matrix/client/v3/keys/claim} (client-server API, "Key management API"): one
     * one-time key (or the fallback key) per device and algorithm asked for.
     */
    JsonResponse claim(RoutingContext ctx) {
        auth.require(ctx, true);
        ObjectNode body = KeyRequests.body(ctx);
        return JsonResponse.ok(claims.claim(KeyClaims.algorithmByDevice(body), KeyRequests.timeoutMs(ctx, body)));
    }
}
