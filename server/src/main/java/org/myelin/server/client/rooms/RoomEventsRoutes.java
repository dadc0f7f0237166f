package org.myelin.server.client.rooms;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** Reading a room's events (client-server API, "Getting events for a room", "Events"). */
public final class RoomEventsRoutes implements Routes {

    private static final String ROOM = "/_matrix/client/v3/rooms/:roomId";

    private final ClientRooms rooms;
    private final Authenticator auth;

    public RoomEventsRoutes(ClientRooms rooms, Authenticator auth) {
        this.rooms = rooms;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(ROOM + "/event/:eventId").handler(handlers.blocking(this::event));
        router.get(ROOM + "/context/:eventId").handler(handlers.blocking(this::context));
        router.get(ROOM + "/messages").handler(handlers.blocking(this::messages));
        router.get("/_matrix/client/v1/rooms/:roomId/timestamp_to_event").handler(handlers.blocking(this::timestampToEvent));
    }

    /** {@code GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}} (client-server API, "Getting events for a room"). */
    JsonResponse event(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        return JsonResponse.ok(rooms.timeline.event(requester, Params.roomId(ctx, "roomId"),
                Params.eventId(ctx, "eventId")));
    }

    /**
     * {@code GET /_matrix/client/v3/rooms/{roomId}/context/{eventId}} (client-server API, "Events"):
     * {@code limit} (default 10) and {@code filter}.
     */
    JsonResponse context(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        Integer limit = Params.queryInt(ctx, "limit");
        RoomEventFilter filter = RoomEventFilter.parse(Params.query(ctx, "filter"));
        return JsonResponse.ok(rooms.timeline.context(requester, Params.roomId(ctx, "roomId"),
                Params.eventId(ctx, "eventId"), limit != null ? limit : filter.limit() != null ? filter.limit() : 10,
                filter));
    }

    /**
     * {@code GET /_matrix/client/v3/rooms/{roomId}/messages} (client-server API, "Getting events
     * for a room"): {@code dir}, {@code from}, {@code to}, {@code limit} (default 10), {@code filter}.
     */
    JsonResponse messages(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        String roomId = Params.roomId(ctx, "roomId");
        boolean backwards = Params.backwards(ctx);
        String from = Params.query(ctx, "from");
        String to = Params.query(ctx, "to");
        Integer limit = Params.queryInt(ctx, "limit");
        RoomEventFilter filter = RoomEventFilter.parse(Params.query(ctx, "filter"));
        int effectiveLimit = limit != null ? limit : filter.limit() != null ? filter.limit() : 10;
        if (effectiveLimit < 0) {
            throw MatrixException.invalidParam("limit must not be negative");
        }
        return JsonResponse.ok(rooms.timeline.messages(requester, roomId,
                from == null || from.isEmpty() ? null : TimelineToken.parse(from),
                to == null || to.isEmpty() ? null : TimelineToken.parse(to), backwards, effectiveLimit, filter));
    }

    /**
     * {@code GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event} (client-server API, "Events"):
     * the event closest to {@code ts} in direction {@code dir}, asking the room's other servers
     * when the closest here may not be ({@link TimestampLookup}).
     */
    JsonResponse timestampToEvent(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        Long ts = Params.queryLong(ctx, "ts");
        if (ts == null) {
            throw MatrixException.missingParam("Missing ts");
        }
        return JsonResponse.ok(rooms.timestamps.closest(requester, Params.roomId(ctx, "roomId"), ts,
                Params.backwards(ctx)));
    }
}
