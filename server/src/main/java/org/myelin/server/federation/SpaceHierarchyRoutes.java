package org.myelin.server.federation;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.FederationException;
import org.myelin.federation.auth.RequestAuthenticator;
import org.myelin.server.client.spaces.ServedHierarchy;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/** Our spaces, as other servers read them for their users (server-server API, "Spaces"). */
final class SpaceHierarchyRoutes implements Routes {

    private final FederationAuth auth;
    private final ServedHierarchy served;

    SpaceHierarchyRoutes(FederationAuth auth, ServedHierarchy served) {
        this.auth = auth;
        this.served = served;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/federation/v1/hierarchy/:roomId")
                .handler(handlers.blocking(auth.authenticated(this::hierarchy)));
    }

    /**
     * {@code GET /_matrix/federation/v1/hierarchy/{roomId}?suggested_only=…}: the room, its
     * children's summaries and the children the asking server may not see; 404 M_NOT_FOUND for a
     * room unknown here or hidden from it.
     */
    JsonResponse hierarchy(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        String suggested = ctx.queryParams().get("suggested_only");
        if (suggested != null && !suggested.equals("true") && !suggested.equals("false")) {
            throw FederationException.invalidParam("suggested_only must be true or false");
        }
        return JsonResponse.ok(served.answer(r.origin(), ctx.pathParam("roomId"), "true".equals(suggested)));
    }
}
