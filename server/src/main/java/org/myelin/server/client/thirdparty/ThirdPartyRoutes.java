package org.myelin.server.client.thirdparty;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

import java.util.List;
import java.util.Map;

/**
 * Third-party networks (client-server API, "Third-party Networks"): the protocols that bridges
 * (application services) offer, and lookups in them. Myelin runs no application services, so it
 * knows no protocol: the list is empty, a named protocol is unknown, and reverse lookups find
 * nothing. Clients ask for the list at start; an empty answer is what they expect from a server
 * without bridges, as Synapse gives.
 */
public final class ThirdPartyRoutes implements Routes {

    private static final String BASE = "/_matrix/client/v3/thirdparty";

    private final Authenticator authenticator;

    public ThirdPartyRoutes(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(BASE + "/protocols").handler(handlers.blocking(this::protocols));
        router.get(BASE + "/protocol/:protocol").handler(handlers.blocking(this::unknownProtocol));
        router.get(BASE + "/location/:protocol").handler(handlers.blocking(this::unknownProtocol));
        router.get(BASE + "/user/:protocol").handler(handlers.blocking(this::unknownProtocol));
        router.get(BASE + "/location").handler(handlers.blocking(this::nothing));
        router.get(BASE + "/user").handler(handlers.blocking(this::nothing));
    }

    JsonResponse protocols(RoutingContext ctx) {
        authenticator.require(ctx);
        return JsonResponse.ok(Map.of());
    }

    JsonResponse unknownProtocol(RoutingContext ctx) {
        authenticator.require(ctx);
        throw MatrixException.notFound("Unknown protocol " + ctx.pathParam("protocol"));
    }

    JsonResponse nothing(RoutingContext ctx) {
        authenticator.require(ctx);
        return JsonResponse.ok(List.of());
    }
}
