package org.myelin.server.federation;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.FederationException;
import org.myelin.federation.auth.RequestAuthenticator.Authenticated;
import org.myelin.federation.inbound.TimestampServing;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/** The event closest to a time, for other servers (server-server API, "Timestamp to event"). */
final class TimestampRoutes implements Routes {

    private final FederationAuth auth;
    private final TimestampServing serving;

    TimestampRoutes(FederationAuth auth, TimestampServing serving) {
        this.auth = auth;
        this.serving = serving;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/federation/v1/timestamp_to_event/:roomId")
                .handler(handlers.blocking(auth.authenticated(this::timestampToEvent)));
    }

    /**
     * {@code GET /_matrix/federation/v1/timestamp_to_event/{roomId}?ts=…&dir=f|b}: the closest
     * event's id and {@code origin_server_ts}; 404 M_NOT_FOUND when there is none.
     */
    JsonResponse timestampToEvent(RoutingContext ctx, Authenticated request) {
        String ts = ctx.queryParams().get("ts");
        if (ts == null || ts.isEmpty()) {
            throw FederationException.missingParam("ts is required");
        }
        long time;
        try {
            time = Long.parseLong(ts);
        } catch (NumberFormatException e) {
            throw FederationException.invalidParam("ts must be an integer");
        }
        String dir = ctx.queryParams().get("dir");
        if (dir == null) {
            throw FederationException.missingParam("dir is required");
        }
        if (!dir.equals("f") && !dir.equals("b")) {
            throw FederationException.invalidParam("dir must be 'f' or 'b'");
        }
        return JsonResponse.ok(serving.closest(request.origin(), ctx.pathParam("roomId"), time, dir.equals("b")));
    }
}
