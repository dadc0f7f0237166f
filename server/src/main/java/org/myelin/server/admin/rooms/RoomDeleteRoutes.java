package org.myelin.server.admin.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.myelin.protocol.id.RoomId;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.admin.AdminParams;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/**
 * Deleting rooms (Synapse's admin API, "Delete Room API"): {@code DELETE /_synapse/admin/v2/rooms/{roomId}}
 * starts a deletion in the background and answers its {@code delete_id}, whose status the two
 * status endpoints give; v1 does the same and answers when it is done.
 */
public final class RoomDeleteRoutes implements Routes {

    record Started(String deleteId) {}

    record Results(List<RoomDeletions.Task> results) {}

    private final AdminAuth auth;
    private final RoomDeletions deletions;
    private final String serverName;

    RoomDeleteRoutes(AdminAuth auth, RoomDeletions deletions, String serverName) {
        this.auth = auth;
        this.deletions = deletions;
        this.serverName = serverName;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.delete("/_synapse/admin/v2/rooms/:roomId").handler(handlers.blocking(this::deleteV2));
        router.delete("/_synapse/admin/v1/rooms/:roomId").handler(handlers.blocking(this::deleteV1));
        router.get("/_synapse/admin/v2/rooms/:roomId/delete_status").handler(handlers.blocking(this::statusOfRoom));
        router.get("/_synapse/admin/v2/rooms/delete_status/:deleteId").handler(handlers.blocking(this::status));
    }

    /**
     * {@code DELETE /_synapse/admin/v2/rooms/{roomId}}: {@code new_room_user_id}, {@code room_name},
     * {@code message}, {@code block}, {@code purge} (default true), {@code force_purge}.
     */
    JsonResponse deleteV2(RoutingContext ctx) {
        Requester admin = auth.requireAdmin(ctx);
        String roomId = ctx.pathParam("roomId");
        ShutdownRequest request = request(ctx, admin);
        return JsonResponse.ok(new Started(deletions.start(roomId, request)));
    }

    /** {@code DELETE /_synapse/admin/v1/rooms/{roomId}}: the same, answered with the shutdown's result once done. */
    JsonResponse deleteV1(RoutingContext ctx) {
        Requester admin = auth.requireAdmin(ctx);
        String roomId = ctx.pathParam("roomId");
        ShutdownRequest request = request(ctx, admin);
        return JsonResponse.ok(deletions.runNow(roomId, request));
    }

    /** {@code GET /_synapse/admin/v2/rooms/{roomId}/delete_status}: the room's deletions of the last day. */
    JsonResponse statusOfRoom(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        String roomId = ctx.pathParam("roomId");
        List<RoomDeletions.Task> tasks = deletions.byRoom(roomId);
        if (tasks.isEmpty()) {
            throw MatrixException.notFound("No delete task for room_id '" + roomId + "' found");
        }
        return JsonResponse.ok(new Results(tasks));
    }

    /** {@code GET /_synapse/admin/v2/rooms/delete_status/{deleteId}}. */
    JsonResponse status(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        String deleteId = ctx.pathParam("deleteId");
        return JsonResponse.ok(deletions.byId(deleteId)
                .orElseThrow(() -> MatrixException.notFound("delete id '" + deleteId + "' not found")));
    }

    private ShutdownRequest request(RoutingContext ctx, Requester admin) {
        JsonNode body = Json.parseBody(ctx);
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        boolean block = bool(body, "block", false);
        boolean purge = bool(body, "purge", true);
        boolean forcePurge = bool(body, "force_purge", false);
        String roomId = ctx.pathParam("roomId");
        if (!RoomId.isValid(roomId)) {
            throw MatrixException.unknownBadRequest(roomId + " is not a legal room ID");
        }
        String newRoomUser = text(body, "new_room_user_id");
        if (newRoomUser != null && (!org.myelin.protocol.id.UserId.isValid(newRoomUser)
                || !AdminParams.isLocal(newRoomUser, serverName))) {
            throw MatrixException.unknownBadRequest("User must be our own: " + newRoomUser);
        }
        String name = text(body, "room_name");
        String message = text(body, "message");
        return new ShutdownRequest(admin.userId(), newRoomUser,
                name == null || name.isEmpty() ? ShutdownRequest.DEFAULT_ROOM_NAME : name,
                message == null || message.isEmpty() ? ShutdownRequest.DEFAULT_MESSAGE : message,
                block, purge, forcePurge);
    }

    private static boolean bool(JsonNode body, String key, boolean fallback) {
        JsonNode value = body.get(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw MatrixException.badJson("Param '" + key + "' must be a boolean, if given");
        }
        return value.asBoolean();
    }

    private static String text(JsonNode body, String key) {
        JsonNode value = body.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw MatrixException.badJson("Param '" + key + "' must be a string, if given");
        }
        return value.asText();
    }
}
