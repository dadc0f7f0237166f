package org.myelin.server.client.sync.sliding;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** Simplified sliding sync (MSC4186), as Synapse serves it under its unstable prefix. */
public final class SlidingSyncRoutes implements Routes {

    static final String PATH = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";

    private final SlidingSync sync;
    private final Authenticator auth;

    public SlidingSyncRoutes(SlidingSync sync, Authenticator auth) {
        this.sync = sync;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post(PATH).handler(handlers.blocking(this::sync));
    }

    /**
     * {@code POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync} (MSC4186): query
     * {@code pos} (a previous response's; anything else is 400 M_UNKNOWN "Invalid stream token",
     * one the server no longer knows 400 M_UNKNOWN_POS) and {@code timeout} in milliseconds
     * (default 0); the body's {@code conn_id}, {@code lists}, {@code room_subscriptions} and
     * {@code extensions} ({@link SlidingSyncRequests}).
     */
    JsonResponse sync(RoutingContext ctx) throws InterruptedException {
        Requester requester = auth.require(ctx, true);
        SlidingPos pos = pos(Params.query(ctx, "pos"));
        Long timeout = Params.queryLong(ctx, "timeout");
        SlidingSyncRequest body = SlidingSyncRequests.parse(Json.parseBody(ctx));
        return JsonResponse.ok(sync.sync(new SlidingSync.Request(requester.userId(), requester.deviceId(), pos,
                timeout == null ? 0 : timeout, body)));
    }

    private static SlidingPos pos(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return SlidingPos.parse(value);
        } catch (IllegalArgumentException e) {
            throw MatrixException.unknownBadRequest("Invalid stream token");
        }
    }
}
