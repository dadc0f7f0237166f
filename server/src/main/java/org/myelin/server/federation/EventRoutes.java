package org.myelin.server.federation;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.FederationException;
import org.myelin.federation.auth.RequestAuthenticator.Authenticated;
import org.myelin.federation.inbound.EventServing;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/**
 * Reading single events, the state at an event and an event's auth chain over federation
 * (server-server API, "Retrieving events", "Retrieving event authorisation information"). Each
 * request is authenticated; {@link EventServing} checks the room's ACL and that the requesting
 * server is in the room (403 otherwise).
 */
final class EventRoutes implements Routes {

    private final FederationAuth auth;
    private final EventServing serving;

    EventRoutes(FederationAuth auth, EventServing serving) {
        this.auth = auth;
        this.serving = serving;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/federation/v1/event/:eventId").handler(handlers.blocking(auth.authenticated(this::event)));
        router.get("/_matrix/federation/v1/state/:roomId").handler(handlers.blocking(auth.authenticated(this::state)));
        router.get("/_matrix/federation/v1/state_ids/:roomId")
                .handler(handlers.blocking(auth.authenticated(this::stateIds)));
        router.get("/_matrix/federation/v1/event_auth/:roomId/:eventId")
                .handler(handlers.blocking(auth.authenticated(this::eventAuth)));
    }

    /** {@code GET /_matrix/federation/v1/event/{eventId}}: the event, as a one-PDU transaction. */
    JsonResponse event(RoutingContext ctx, Authenticated request) {
        return JsonResponse.ok(serving.event(request.origin(), ctx.pathParam("eventId")));
    }

    /** {@code GET /_matrix/federation/v1/state/{roomId}?event_id=…}: the state before the event, and its auth chain. */
    JsonResponse state(RoutingContext ctx, Authenticated request) {
        return JsonResponse.ok(serving.state(request.origin(), ctx.pathParam("roomId"), eventIdParam(ctx)));
    }

    /** {@code GET /_matrix/federation/v1/state_ids/{roomId}?event_id=…}: the same, as event ids. */
    JsonResponse stateIds(RoutingContext ctx, Authenticated request) {
        return JsonResponse.ok(serving.stateIds(request.origin(), ctx.pathParam("roomId"), eventIdParam(ctx)));
    }

    /** {@code GET /_matrix/federation/v1/event_auth/{roomId}/{eventId}}: the event's auth chain. */
    JsonResponse eventAuth(RoutingContext ctx, Authenticated request) {
        return JsonResponse.ok(serving.eventAuth(request.origin(), ctx.pathParam("roomId"), ctx.pathParam("eventId")));
    }

    private static String eventIdParam(RoutingContext ctx) {
        String eventId = ctx.queryParams().get("event_id");
        if (eventId == null || eventId.isEmpty()) {
            throw FederationException.missingParam("event_id is required");
        }
        return eventId;
    }
}
