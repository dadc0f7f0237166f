package org.myelin.server.client.rooms;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/** Room creation (client-server API, "Creation"). */
public final class CreateRoomRoutes implements Routes {

    /** The answer of {@code /createRoom}. */
    record RoomIdResponse(String roomId) {
    }

    private final ClientRooms rooms;
    private final Authenticator auth;

    public CreateRoomRoutes(ClientRooms rooms, Authenticator auth) {
        this.rooms = rooms;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/createRoom").handler(handlers.blocking(this::createRoom));
    }

    /**
     * {@code POST /_matrix/client/v3/createRoom} (client-server API, "Creation"): a new room with
     * the preset's state, the requested state, name, topic, alias and invites.
     */
    JsonResponse createRoom(RoutingContext ctx) {
        var requester = auth.require(ctx);
        CreateRoomRequest request = Json.bind(ctx, CreateRoomRequest.class, Json.BodyKind.KEPT_AS_TEXT);
        return JsonResponse.ok(new RoomIdResponse(rooms.creation.create(requester, request)));
    }
}
