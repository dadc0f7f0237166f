package org.myelin.server.client.rooms;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** Relationships between events and threads (client-server API, "Relationships", "Threading"). */
public final class RelationsRoutes implements Routes {

    private static final String ROOM = "/_matrix/client/v1/rooms/:roomId";

    private final ClientRooms rooms;
    private final Authenticator auth;

    public RelationsRoutes(ClientRooms rooms, Authenticator auth) {
        this.rooms = rooms;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(ROOM + "/relations/:eventId").handler(handlers.blocking(this::relations));
        router.get(ROOM + "/relations/:eventId/:relType").handler(handlers.blocking(this::relations));
        router.get(ROOM + "/relations/:eventId/:relType/:eventType").handler(handlers.blocking(this::relations));
        router.get(ROOM + "/threads").handler(handlers.blocking(this::threads));
    }

    /**
     * {@code GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]]}
     * (client-server API, "Relationships"): {@code dir} (default {@code b}), {@code from},
     * {@code to}, {@code limit} (default 5), {@code recurse}.
     */
    JsonResponse relations(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        Integer limit = Params.queryInt(ctx, "limit");
        if (limit != null && limit < 0) {
            throw MatrixException.invalidParam("limit must not be negative");
        }
        String from = Params.query(ctx, "from");
        String to = Params.query(ctx, "to");
        return JsonResponse.ok(rooms.relations.children(requester, new RoomRelations.ChildrenRequest(
                Params.roomId(ctx, "roomId"), Params.eventId(ctx, "eventId"), ctx.pathParam("relType"),
                ctx.pathParam("eventType"), token(from), token(to),
                Params.query(ctx, "dir") == null || Params.backwards(ctx),
                limit == null ? RoomRelations.DEFAULT_LIMIT : limit, flag(ctx, "recurse"))));
    }

    /**
     * {@code GET /_matrix/client/v1/rooms/{roomId}/threads} (client-server API, "Threading"):
     * {@code include} ({@code all}, the default, or {@code participated}), {@code from},
     * {@code limit} (default 5, at least 1).
     */
    JsonResponse threads(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        String include = Params.query(ctx, "include");
        if (include != null && !include.equals("all") && !include.equals("participated")) {
            throw MatrixException.invalidParam("include must be 'all' or 'participated'");
        }
        Integer limit = Params.queryInt(ctx, "limit");
        if (limit != null && limit < 1) {
            throw MatrixException.invalidParam("limit must be at least 1");
        }
        String from = Params.query(ctx, "from");
        return JsonResponse.ok(rooms.relations.threads(requester, Params.roomId(ctx, "roomId"),
                "participated".equals(include), from == null || from.isEmpty() ? null : from,
                limit == null ? RoomRelations.DEFAULT_LIMIT : limit));
    }

    private static TimelineToken token(String value) {
        return value == null || value.isEmpty() ? null : TimelineToken.parse(value);
    }

    /** A boolean query parameter: {@code true} or {@code false}; 400 M_INVALID_PARAM otherwise. */
    private static boolean flag(RoutingContext ctx, String name) {
        String value = Params.query(ctx, name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw MatrixException.invalidParam(name + " must be 'true' or 'false'");
    }
}
