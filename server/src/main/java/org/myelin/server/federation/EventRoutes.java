package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.FederationException;
import org.myelin.federation.inbound.EventServing;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reading a room's events and state over federation (server-server API, "Retrieving events",
 * "Backfilling and retrieving missing events", "Retrieving event authorisation information").
 * Each request is authenticated; {@link EventServing} checks the room's ACL and that the
 * requesting server is in the room (403 otherwise).
 */
final class EventRoutes implements Routes {

    /** {@code /get_missing_events}'s default {@code limit}. */
    static final int DEFAULT_MISSING_LIMIT = 10;

    private final FederationAuth auth;
    private final Supplier<EventServing> serving;

    EventRoutes(FederationAuth auth, Supplier<EventServing> serving) {
        this.auth = auth;
        this.serving = serving;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/federation/v1/event/:eventId").handler(handlers.blocking(auth.authenticated(
                (ctx, r) -> JsonResponse.ok(serving.get().event(r.origin(), ctx.pathParam("eventId"))))));
        router.get("/_matrix/federation/v1/state/:roomId").handler(handlers.blocking(auth.authenticated(
                (ctx, r) -> JsonResponse.ok(serving.get().state(r.origin(), ctx.pathParam("roomId"), eventIdParam(ctx))))));
        router.get("/_matrix/federation/v1/state_ids/:roomId").handler(handlers.blocking(auth.authenticated(
                (ctx, r) -> JsonResponse.ok(serving.get().stateIds(r.origin(), ctx.pathParam("roomId"),
                        eventIdParam(ctx))))));
        router.get("/_matrix/federation/v1/event_auth/:roomId/:eventId").handler(handlers.blocking(auth.authenticated(
                (ctx, r) -> JsonResponse.ok(serving.get().eventAuth(r.origin(), ctx.pathParam("roomId"),
                        ctx.pathParam("eventId"))))));
        router.post("/_matrix/federation/v1/get_missing_events/:roomId").handler(handlers.blocking(
                auth.authenticated(this::missingEvents)));
        router.get("/_matrix/federation/v1/backfill/:roomId").handler(handlers.blocking(auth.authenticated(
                (ctx, r) -> JsonResponse.ok(serving.get().backfill(r.origin(), ctx.pathParam("roomId"),
                        ctx.queryParam("v"), intParam(ctx, "limit"))))));
    }

    /**
     * {@code POST /_matrix/federation/v1/get_missing_events/{roomId}}: body {@code limit} (default
     * 10), {@code min_depth} (default 0), {@code earliest_events}, {@code latest_events}.
     */
    private JsonResponse missingEvents(RoutingContext ctx, org.myelin.federation.auth.RequestAuthenticator.Authenticated r) {
        JsonNode body = r.content();
        if (body == null || !body.isObject()) {
            throw FederationException.badJson("Request body must be a JSON object");
        }
        int limit = body.path("limit").canConvertToInt() ? body.path("limit").asInt() : DEFAULT_MISSING_LIMIT;
        long minDepth = body.path("min_depth").canConvertToLong() ? body.path("min_depth").asLong() : 0;
        return JsonResponse.ok(serving.get().missingEvents(r.origin(), ctx.pathParam("roomId"),
                strings(body, "earliest_events"), strings(body, "latest_events"), limit, minDepth));
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode array = body.get(field);
        if (array == null || !array.isArray()) {
            throw FederationException.badJson(field + " must be an array of event ids");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode id : array) {
            if (!id.isTextual()) {
                throw FederationException.badJson(field + " must be an array of event ids");
            }
            out.add(id.textValue());
        }
        return out;
    }

    private static String eventIdParam(RoutingContext ctx) {
        String eventId = ctx.queryParams().get("event_id");
        if (eventId == null || eventId.isEmpty()) {
            throw FederationException.missingParam("event_id is required");
        }
        return eventId;
    }

    private static int intParam(RoutingContext ctx, String name) {
        String value = ctx.queryParams().get(name);
        if (value == null) {
            throw FederationException.missingParam(name + " is required");
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw FederationException.invalidParam(name + " must be an integer");
        }
    }
}
