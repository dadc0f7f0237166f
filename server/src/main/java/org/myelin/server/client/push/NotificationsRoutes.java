package org.myelin.server.client.push;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** The requester's notifications (client-server API, "Listing Notifications"). */
public final class NotificationsRoutes implements Routes {

    /** Synapse's default page and its cap. */
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private final Authenticator authenticator;
    private final Notifications notifications;

    public NotificationsRoutes(Authenticator authenticator, Notifications notifications) {
        this.authenticator = authenticator;
        this.notifications = notifications;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v3/notifications").handler(handlers.blocking(this::list));
    }

    /**
     * {@code GET /_matrix/client/v3/notifications} (client-server API, "Listing Notifications"):
     * newest first, {@code from} a {@code next_token}, {@code limit} (50 unless given, at most
     * 500), {@code only=highlight} for highlights only. 400 M_INVALID_PARAM for a {@code from} or
     * {@code limit} that is not a non-negative integer.
     */
    JsonResponse list(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        Long from = Params.queryLong(ctx, "from");
        Integer limit = Params.queryInt(ctx, "limit");
        if ((from != null && from < 0) || (limit != null && limit < 0)) {
            throw MatrixException.invalidParam("'from' and 'limit' must not be negative");
        }
        int pageSize = limit == null ? DEFAULT_LIMIT : Math.min(limit, MAX_LIMIT);
        boolean onlyHighlights = "highlight".equals(Params.query(ctx, "only"));
        return JsonResponse.ok(notifications.page(requester.userId(), requester.deviceId(), from, pageSize,
                onlyHighlights));
    }
}
