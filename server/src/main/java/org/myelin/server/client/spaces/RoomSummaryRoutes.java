package org.myelin.server.client.spaces;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/**
 * Room summaries (client-server API, "Room Summaries"), also at the unstable paths of MSC3266 that
 * Synapse still serves and older clients call.
 */
public final class RoomSummaryRoutes implements Routes {

    private final RoomSummaries summaries;
    private final Authenticator auth;

    public RoomSummaryRoutes(RoomSummaries summaries, Authenticator auth) {
        this.summaries = summaries;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v1/room_summary/:room").handler(handlers.blocking(this::summary));
        router.get("/_matrix/client/unstable/im.nheko.summary/summary/:room").handler(handlers.blocking(this::summary));
        router.get("/_matrix/client/unstable/im.nheko.summary/rooms/:room/summary")
                .handler(handlers.blocking(this::summary));
    }

    /**
     * {@code GET /_matrix/client/v1/room_summary/{roomIdOrAlias}?via=…} (client-server API, "Room
     * Summaries"): with or without an access token (an invalid one is still 401).
     */
    JsonResponse summary(RoutingContext ctx) {
        String userId = auth.optional(ctx).map(Requester::userId).orElse(null);
        return JsonResponse.ok(summaries.summary(userId, Params.path(ctx, "room"), Params.queryAll(ctx, "via")));
    }
}
