package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.FederationException;
import org.myelin.federation.auth.RequestAuthenticator.Authenticated;
import org.myelin.federation.inbound.EventServing;
import org.myelin.protocol.id.EventId;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

import java.util.ArrayList;
import java.util.List;

/**
 * History other servers lack (server-server API, "Backfilling and retrieving missing events"):
 * {@code /backfill} and {@code /get_missing_events}, for servers in the room that the room's ACL
 * admits.
 */
final class BackfillRoutes implements Routes {

    /** {@code /get_missing_events}'s default {@code limit}. */
    static final int DEFAULT_MISSING_LIMIT = 10;

    private final FederationAuth auth;
    private final EventServing serving;

    BackfillRoutes(FederationAuth auth, EventServing serving) {
        this.auth = auth;
        this.serving = serving;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/federation/v1/backfill/:roomId").handler(handlers.blocking(auth.authenticated(this::backfill)));
        router.post("/_matrix/federation/v1/get_missing_events/:roomId")
                .handler(handlers.blocking(auth.authenticated(this::missingEvents)));
    }

    /**
     * {@code GET /_matrix/federation/v1/backfill/{roomId}?v=…&limit=…}: the events named and
     * those before them, up to {@code limit}.
     */
    JsonResponse backfill(RoutingContext ctx, Authenticated request) {
        List<String> from = ctx.queryParam("v");
        if (from.isEmpty()) {
            throw FederationException.missingParam("v is required");
        }
        return JsonResponse.ok(serving.backfill(request.origin(), ctx.pathParam("roomId"), from, limitParam(ctx)));
    }

    /**
     * {@code POST /_matrix/federation/v1/get_missing_events/{roomId}}: body {@code limit} (default
     * 10), {@code min_depth} (default 0), {@code earliest_events}, {@code latest_events}.
     */
    JsonResponse missingEvents(RoutingContext ctx, Authenticated request) {
        JsonNode body = request.content();
        if (body == null || !body.isObject()) {
            throw FederationException.badJson("Request body must be a JSON object");
        }
        int limit = body.path("limit").canConvertToInt() ? body.path("limit").asInt() : DEFAULT_MISSING_LIMIT;
        long minDepth = body.path("min_depth").canConvertToLong() ? body.path("min_depth").asLong() : 0;
        return JsonResponse.ok(serving.missingEvents(request.origin(), ctx.pathParam("roomId"),
                eventIds(body, "earliest_events"), eventIds(body, "latest_events"), limit, minDepth));
    }

    private static List<String> eventIds(JsonNode body, String field) {
        JsonNode array = body.get(field);
        if (array == null || !array.isArray()) {
            throw FederationException.badJson(field + " must be an array of event ids");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode id : array) {
            if (!id.isTextual() || !EventId.isValid(id.textValue())) {
                throw FederationException.badJson(field + " must be an array of event ids");
            }
            out.add(id.textValue());
        }
        return out;
    }

    private static int limitParam(RoutingContext ctx) {
        String value = ctx.queryParams().get("limit");
        if (value == null) {
            throw FederationException.missingParam("limit is required");
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw FederationException.invalidParam("limit must be an integer");
        }
    }
}
