package org.myelin.server.client.sync;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.id.RoomId;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.client.rooms.RoomTimeline;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/**
 * The endpoints /sync replaced, which older clients, bridges and conformance suites still call
 * (client-server API, deprecated in r0: {@code GET /events}, {@code GET /events/{eventId}},
 * {@code GET /initialSync}; "Room Previews": {@code GET /events?room_id=…} and
 * {@code GET /rooms/{roomId}/initialSync}).
 */
public final class LegacySyncRoutes implements Routes {

    private static final String V3 = "/_matrix/client/v3";

    private final EventStream stream;
    private final InitialSync initialSync;
    private final RoomTimeline timeline;
    private final Authenticator auth;

    public LegacySyncRoutes(EventStream stream, InitialSync initialSync, RoomTimeline timeline, Authenticator auth) {
        this.stream = stream;
        this.initialSync = initialSync;
        this.timeline = timeline;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(V3 + "/events").handler(handlers.blocking(this::events));
        router.get(V3 + "/events/:eventId").handler(handlers.blocking(this::event));
        router.get(V3 + "/initialSync").handler(handlers.blocking(this::initialSync));
        router.get(V3 + "/rooms/:roomId/initialSync").handler(handlers.blocking(this::roomInitialSync));
    }

    /**
     * {@code GET /_matrix/client/v3/events} (client-server API, "Listen on the event stream", and
     * "Room Previews"): {@code from} (a sync token: a {@code next_batch}, an {@code end}; none for
     * now), {@code timeout} in milliseconds (default 30000), {@code room_id} (a joined room, or a
     * world-readable one to peek into; guests must name one), {@code limit} (default 10).
     */
    JsonResponse events(RoutingContext ctx) throws InterruptedException {
        Requester requester = auth.require(ctx, true);
        String roomId = Params.query(ctx, "room_id");
        if (roomId != null && !RoomId.isValid(roomId)) {
            throw MatrixException.invalidParam("Invalid room id: " + roomId);
        }
        if (requester.isGuest() && roomId == null) {
            throw MatrixException.unknownBadRequest("Guest users must specify room_id param");
        }
        Long timeout = Params.queryLong(ctx, "timeout");
        Integer limit = Params.queryInt(ctx, "limit");
        return JsonResponse.ok(stream.read(new EventStream.Request(requester.userId(), requester.deviceId(),
                requester.isGuest(), SyncRoutes.since(Params.query(ctx, "from")),
                timeout == null ? EventStream.DEFAULT_TIMEOUT_MS : timeout, roomId,
                limit == null ? EventStream.DEFAULT_LIMIT : limit)));
    }

    /**
     * {@code GET /_matrix/client/v3/events/{eventId}} (client-server API, "Get a single event by
     * event ID"): 404 when unknown or not for the user to see.
     */
    JsonResponse event(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        return JsonResponse.ok(timeline.event(requester, Params.eventId(ctx, "eventId")));
    }

    /**
     * {@code GET /_matrix/client/v3/initialSync} (client-server API, "Get the user's current
     * state"): {@code limit} events per room (default 10), {@code archived} for left rooms too.
     */
    JsonResponse initialSync(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        return JsonResponse.ok(initialSync.all(requester, limit(ctx), SyncRoutes.bool(ctx, "archived")));
    }

    /**
     * {@code GET /_matrix/client/v3/rooms/{roomId}/initialSync} (client-server API, "Room
     * Previews"): {@code limit} events (default 10).
     */
    JsonResponse roomInitialSync(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        return JsonResponse.ok(initialSync.room(requester, Params.roomId(ctx, "roomId"), limit(ctx)));
    }

    private static int limit(RoutingContext ctx) {
        Integer limit = Params.queryInt(ctx, "limit");
        if (limit != null && limit < 0) {
            throw MatrixException.invalidParam("limit must not be negative");
        }
        return limit == null ? InitialSync.DEFAULT_LIMIT : limit;
    }
}
