package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

import java.util.List;
import java.util.Map;

/** Room state and members (client-server API, "Getting events for a room", "Sending events to a room"). */
public final class RoomStateRoutes implements Routes {

    private static final String ROOM = "/_matrix/client/v3/rooms/:roomId";

    record EventIdResponse(String eventId) {
    }

    record ChunkResponse(List<ObjectNode> chunk) {
    }

    record JoinedMembersResponse(Map<String, RoomStates.JoinedMember> joined) {
    }

    private final ClientRooms rooms;
    private final Authenticator auth;

    public RoomStateRoutes(ClientRooms rooms, Authenticator auth) {
        this.rooms = rooms;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(ROOM + "/state").handler(handlers.blocking(this::allState));
        for (String path : List.of(ROOM + "/state/:eventType", ROOM + "/state/:eventType/", ROOM + "/state/:eventType/:stateKey")) {
            router.get(path).handler(handlers.blocking(this::getState));
            router.put(path).handler(handlers.blocking(this::putState));
        }
        router.get(ROOM + "/members").handler(handlers.blocking(this::members));
        router.get(ROOM + "/joined_members").handler(handlers.blocking(this::joinedMembers));
    }

    /** {@code GET /_matrix/client/v3/rooms/{roomId}/state} (client-server API, "Getting events for a room"). */
    JsonResponse allState(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        return JsonResponse.ok(rooms.states.all(requester, Params.roomId(ctx, "roomId")));
    }

    /**
     * {@code GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}} (client-server
     * API, "Getting events for a room"): the content, or with {@code format=event} the whole event.
     */
    JsonResponse getState(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        String roomId = Params.roomId(ctx, "roomId");
        String type = Params.path(ctx, "eventType");
        String stateKey = stateKey(ctx);
        if ("event".equals(Params.query(ctx, "format"))) {
            return JsonResponse.ok(rooms.states.oneAsEvent(requester, roomId, type, stateKey));
        }
        return JsonResponse.ok(rooms.states.one(requester, roomId, type, stateKey).content());
    }

    /**
     * {@code PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}} (client-server
     * API, "Sending events to a room"): sets a state event; the room's auth rules decide.
     */
    JsonResponse putState(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        String roomId = Params.roomId(ctx, "roomId");
        ObjectNode content = objectBody(ctx);
        String eventId = rooms.states.put(requester, roomId, Params.path(ctx, "eventType"), stateKey(ctx), content);
        return JsonResponse.ok(new EventIdResponse(eventId));
    }

    /**
     * {@code GET /_matrix/client/v3/rooms/{roomId}/members} (client-server API, "Getting events
     * for a room"): {@code at}, {@code membership}, {@code not_membership}.
     */
    JsonResponse members(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        String at = Params.query(ctx, "at");
        return JsonResponse.ok(new ChunkResponse(rooms.states.members(requester, Params.roomId(ctx, "roomId"),
                at == null ? null : TimelineToken.parse(at), Params.query(ctx, "membership"),
                Params.query(ctx, "not_membership"))));
    }

    /** {@code GET /_matrix/client/v3/rooms/{roomId}/joined_members} (client-server API, "Getting events for a room"). */
    JsonResponse joinedMembers(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        return JsonResponse.ok(new JoinedMembersResponse(
                rooms.states.joinedMembers(requester, Params.roomId(ctx, "roomId"))));
    }

    private static String stateKey(RoutingContext ctx) {
        String stateKey = ctx.pathParam("stateKey");
        return stateKey == null ? "" : stateKey;
    }

    /** The request body, which must be a JSON object (event content). */
    /** The body as event content: a JSON object, whose strings may hold U+0000 as any event's may. */
    static ObjectNode objectBody(RoutingContext ctx) {
        JsonNode body = Json.parseBody(ctx, Json.BodyKind.KEPT_AS_TEXT);
        if (!(body instanceof ObjectNode object)) {
            throw MatrixException.badJson("Content must be a JSON object");
        }
        return object;
    }
}
