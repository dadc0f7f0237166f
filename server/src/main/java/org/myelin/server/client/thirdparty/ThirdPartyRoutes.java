package org.myelin.server.client.thirdparty;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/**
 * Third-party networks (client-server API, "Third-party Networks"): the protocols that bridges
 * (application services) offer, and lookups in them, answered by asking the services, as
 * Synapse does. Lookups without a protocol find nothing, as in Synapse: no service is asked.
 * A lookup in a protocol no service bridges is 404 {@code M_NOT_FOUND}, as the spec allows
 * (Synapse answers an empty list).
 */
public final class ThirdPartyRoutes implements Routes {

    private static final String BASE = "/_matrix/client/v3/thirdparty";

    private final Authenticator authenticator;
    private final ThirdPartyNetworks networks;

    public ThirdPartyRoutes(Authenticator authenticator) {
        this(authenticator, ThirdPartyNetworks.NONE);
    }

    public ThirdPartyRoutes(Authenticator authenticator, ThirdPartyNetworks networks) {
        this.authenticator = authenticator;
        this.networks = networks;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(BASE + "/protocols").handler(handlers.blocking(this::protocols));
        router.get(BASE + "/protocol/:protocol").handler(handlers.blocking(this::protocol));
        router.get(BASE + "/location/:protocol").handler(handlers.blocking(ctx -> lookup(ctx,
                ThirdPartyNetworks.Kind.LOCATION)));
        router.get(BASE + "/user/:protocol").handler(handlers.blocking(ctx -> lookup(ctx,
                ThirdPartyNetworks.Kind.USER)));
        router.get(BASE + "/location").handler(handlers.blocking(this::nothing));
        router.get(BASE + "/user").handler(handlers.blocking(this::nothing));
    }

    /** {@code GET /_matrix/client/v3/thirdparty/protocols}: every bridged protocol's metadata. */
    JsonResponse protocols(RoutingContext ctx) {
        authenticator.require(ctx);
        return JsonResponse.ok(networks.protocols(null));
    }

    /** {@code GET /_matrix/client/v3/thirdparty/protocol/{protocol}}: one protocol's; 404 if none bridges it. */
    JsonResponse protocol(RoutingContext ctx) {
        authenticator.require(ctx);
        String protocol = ctx.pathParam("protocol");
        Object found = networks.protocols(protocol).get(protocol);
        if (found == null) {
            throw MatrixException.notFound("Unknown protocol " + protocol);
        }
        return JsonResponse.ok(found);
    }

    /**
     * {@code GET /_matrix/client/v3/thirdparty/location/{protocol}} and {@code …/user/{protocol}}:
     * what the services bridging the protocol find for the query's fields.
     */
    JsonResponse lookup(RoutingContext ctx, ThirdPartyNetworks.Kind kind) {
        authenticator.require(ctx);
        String protocol = ctx.pathParam("protocol");
        if (!networks.bridges(protocol)) {
            throw MatrixException.notFound("Unknown protocol " + protocol);
        }
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String name : ctx.queryParams().names()) {
            if (!name.equals("access_token")) {
                fields.put(name, ctx.queryParam(name));
            }
        }
        return JsonResponse.ok(networks.lookup(kind, protocol, fields));
    }

    /** {@code GET …/thirdparty/location} and {@code …/user} (reverse lookups): nothing, as Synapse. */
    JsonResponse nothing(RoutingContext ctx) {
        authenticator.require(ctx);
        return JsonResponse.ok(List.of());
    }
}
