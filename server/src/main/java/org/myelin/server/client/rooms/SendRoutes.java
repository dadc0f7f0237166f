package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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

/** Sending and redacting events (client-server API, "Sending events to a room", "Redactions"). */
public final class SendRoutes implements Routes {

    private static final String ROOM = "/_matrix/client/v3/rooms/:roomId";

    record EventIdResponse(String eventId) {
    }

    private final ClientRooms rooms;
    private final Authenticator auth;

    public SendRoutes(ClientRooms rooms, Authenticator auth) {
        this.rooms = rooms;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.put(ROOM + "/send/:eventType/:txnId").handler(handlers.blocking(this::send));
        router.put(ROOM + "/redact/:eventId/:txnId").handler(handlers.blocking(this::redact));
        // The deprecated forms without a transaction id, which Synapse still serves (and older clients use).
        router.post(ROOM + "/send/:eventType").handler(handlers.blocking(this::send));
        router.post(ROOM + "/redact/:eventId").handler(handlers.blocking(this::redact));
    }

    /**
     * {@code PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}} (client-server API,
     * "Sending events to a room"): a message event; the same transaction id returns the same event.
     * Also {@code POST /rooms/{roomId}/send/{eventType}}, without a transaction id: a new event each time.
     */
    JsonResponse send(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        String roomId = Params.roomId(ctx, "roomId");
        ObjectNode content = RoomStateRoutes.objectBody(ctx);
        String eventId = rooms.actions.sendMessage(requester, roomId, Params.path(ctx, "eventType"), content,
                ctx.pathParam("txnId"));
        return JsonResponse.ok(new EventIdResponse(eventId));
    }

    /**
     * {@code PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}} (client-server API,
     * "Redactions"): redacts an event, with an optional {@code reason}. Also
     * {@code POST /rooms/{roomId}/redact/{eventId}}, without a transaction id.
     */
    JsonResponse redact(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        String roomId = Params.roomId(ctx, "roomId");
        String eventId = Params.eventId(ctx, "eventId");
        ObjectNode body = Params.optionalObject(ctx, Json.BodyKind.KEPT_AS_TEXT);
        if (body == null) {
            body = JsonNodeFactory.instance.objectNode();
        }
        ObjectNode content = JsonNodeFactory.instance.objectNode();
        if (body.has("reason")) {
            if (!body.get("reason").isTextual()) {
                throw MatrixException.badJson("reason must be a string");
            }
            content.set("reason", body.get("reason"));
        }
        String redactionId = rooms.actions.redact(requester, roomId, eventId, content, ctx.pathParam("txnId"));
        return JsonResponse.ok(new EventIdResponse(redactionId));
    }
}
