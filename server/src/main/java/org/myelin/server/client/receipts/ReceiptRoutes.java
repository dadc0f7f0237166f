package org.myelin.server.client.receipts;

import com.fasterxml.jackson.databind.JsonNode;
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

/** Receipts (client-server API, "Receipts"). */
public final class ReceiptRoutes implements Routes {

    private final Receipts receipts;
    private final Authenticator auth;

    public ReceiptRoutes(Receipts receipts, Authenticator auth) {
        this.receipts = receipts;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/rooms/:roomId/receipt/:receiptType/:eventId")
                .handler(handlers.blocking(this::receipt));
    }

    /**
     * {@code POST /_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId}} (client-server
     * API, "Receipts"): {@code m.read}, {@code m.read.private}, or {@code m.fully_read} (the read
     * marker); the body's optional {@code thread_id} makes a threaded receipt. An empty body is
     * taken as {@code {}}, as older clients send none.
     */
    JsonResponse receipt(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        String roomId = Params.roomId(ctx, "roomId");
        String type = Params.path(ctx, "receiptType");
        if (!Receipts.TYPES.contains(type)) {
            throw MatrixException.invalidParam("Receipt type must be m.read, m.read.private or m.fully_read");
        }
        String eventId = Params.eventId(ctx, "eventId");
        String threadId = threadId(ctx, type);
        receipts.receipt(requester.userId(), roomId, type, eventId, threadId);
        return JsonResponse.empty();
    }

    /** The body's {@code thread_id}: a non-empty string, not for {@code m.fully_read} (400 M_INVALID_PARAM). */
    private static String threadId(RoutingContext ctx, String type) {
        if (ctx.body() == null || ctx.body().isEmpty()) {
            return null;
        }
        JsonNode body = Json.parseBody(ctx);
        if (!body.isObject()) {
            throw MatrixException.badJson("Content must be a JSON object.");
        }
        JsonNode thread = body.get("thread_id");
        if (thread == null || thread.isNull()) {
            return null;
        }
        if (!thread.isTextual() || thread.asText().isEmpty()) {
            throw MatrixException.invalidParam("thread_id field must be a non-empty string");
        }
        if (type.equals(Receipts.FULLY_READ)) {
            throw MatrixException.invalidParam("thread_id is not compatible with m.fully_read");
        }
        if (!Receipts.isThreadId(thread.asText())) {
            throw MatrixException.invalidParam("thread_id must be 'main' or the id of a thread's root event");
        }
        return thread.asText();
    }
}
