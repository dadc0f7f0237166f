package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.client.sync.filter.Filters;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** Filters (client-server API, "Filtering"). */
public final class FilterRoutes implements Routes {

    private static final String FILTER = "/_matrix/client/v3/user/:userId/filter";

    /** The body of {@code POST .../filter}. */
    record FilterCreated(String filterId) {
    }

    private final Filters filters;
    private final Authenticator auth;

    public FilterRoutes(Filters filters, Authenticator auth) {
        this.filters = filters;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post(FILTER).handler(handlers.blocking(this::create));
        router.get(FILTER + "/:filterId").handler(handlers.blocking(this::get));
    }

    /** {@code POST /_matrix/client/v3/user/{userId}/filter} (client-server API, "Filtering"): stores a filter. */
    JsonResponse create(RoutingContext ctx) {
        Requester requester = self(ctx, "Can only create filters for yourself");
        JsonNode definition = Json.parseBody(ctx);
        return JsonResponse.ok(new FilterCreated(filters.create(requester.userId(), definition)));
    }

    /** {@code GET /_matrix/client/v3/user/{userId}/filter/{filterId}} (client-server API, "Filtering"). */
    JsonResponse get(RoutingContext ctx) {
        Requester requester = self(ctx, "Cannot get filters for other users");
        return JsonResponse.ok(filters.definition(requester.userId(), Params.path(ctx, "filterId"))
                .orElseThrow(() -> MatrixException.notFound("No such filter")));
    }

    private Requester self(RoutingContext ctx, String refusal) {
        Requester requester = auth.require(ctx, true);
        if (!requester.userId().equals(Params.path(ctx, "userId"))) {
            throw MatrixException.forbidden(refusal);
        }
        return requester;
    }
}
