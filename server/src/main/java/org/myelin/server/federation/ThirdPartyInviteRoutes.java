package org.myelin.server.federation;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.auth.RequestAuthenticator;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/**
 * Third-party invites over federation (server-server API, "Third-party invites"): the identity
 * server's notice of a bind, and the exchange of an invite with the inviter's server.
 */
final class ThirdPartyInviteRoutes implements Routes {

    private static final String V1 = "/_matrix/federation/v1";

    private final FederationAuth auth;
    private final ThirdPartyInviteExchange exchange;

    ThirdPartyInviteRoutes(FederationAuth auth, ThirdPartyInviteExchange exchange) {
        this.auth = auth;
        this.exchange = exchange;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.put(V1 + "/3pid/onbind").handler(handlers.blocking(this::onBind));
        // Sydent, and Synapse's own servlet, use POST.
        router.post(V1 + "/3pid/onbind").handler(handlers.blocking(this::onBind));
        router.put(V1 + "/exchange_third_party_invite/:roomId").handler(handlers.blocking(
                auth.authenticated(this::exchange)));
    }

    /**
     * {@code PUT /_matrix/federation/v1/3pid/onbind}: called by identity servers, which sign no
     * request; what makes an invite is the identity server's signature in each {@code signed}
     * block, checked against the room's {@code m.room.third_party_invite}.
     */
    JsonResponse onBind(RoutingContext ctx) {
        exchange.onBind(Json.parseBody(ctx));
        return JsonResponse.empty();
    }

    /** {@code PUT /_matrix/federation/v1/exchange_third_party_invite/{roomId}} (X-Matrix signed). */
    JsonResponse exchange(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        exchange.exchange(ctx.pathParam("roomId"), r.content());
        return JsonResponse.empty();
    }
}
