package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.FederationException;
import org.myelin.federation.auth.RequestAuthenticator;
import org.myelin.server.client.directory.PublicRooms;
import org.myelin.server.client.directory.PublicRoomsQuery;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

import java.util.ArrayList;
import java.util.List;

/**
 * Our published room directory, as other servers read it for their users (server-server API,
 * "Public Room Directory"): the same list the client-server API gives.
 */
final class PublicRoomsRoutes implements Routes {

    private final FederationAuth auth;
    private final PublicRooms publicRooms;

    PublicRoomsRoutes(FederationAuth auth, PublicRooms publicRooms) {
        this.auth = auth;
        this.publicRooms = publicRooms;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/federation/v1/publicRooms").handler(handlers.blocking(auth.authenticated(this::list)));
        router.post("/_matrix/federation/v1/publicRooms").handler(handlers.blocking(auth.authenticated(this::query)));
    }

    /** {@code GET /_matrix/federation/v1/publicRooms?limit=…&since=…}. */
    JsonResponse list(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        return JsonResponse.ok(publicRooms.list(null, new PublicRoomsQuery(intParam(ctx.queryParams().get("limit")),
                ctx.queryParams().get("since"), null, null)));
    }

    /** {@code POST /_matrix/federation/v1/publicRooms}: paging and {@code filter} ({@code generic_search_term}, {@code room_types}). */
    JsonResponse query(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        JsonNode body = r.content();
        if (body == null || !body.isObject()) {
            throw FederationException.badJson("The body must be a JSON object");
        }
        JsonNode filter = body.path("filter");
        List<String> roomTypes = null;
        if (filter.path("room_types").isArray()) {
            roomTypes = new ArrayList<>();
            for (JsonNode t : filter.path("room_types")) {
                roomTypes.add(t.isNull() ? null : t.asText());
            }
        }
        Integer limit = body.path("limit").canConvertToInt() ? body.path("limit").asInt() : null;
        return JsonResponse.ok(publicRooms.list(null, new PublicRoomsQuery(limit, body.path("since").asText(null),
                filter.path("generic_search_term").asText(null), roomTypes)));
    }

    private static Integer intParam(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw FederationException.invalidParam("limit must be an integer");
        }
    }
}
