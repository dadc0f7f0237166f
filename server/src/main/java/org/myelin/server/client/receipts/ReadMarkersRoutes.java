package org.myelin.server.client.receipts;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.id.EventId;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** The fully read marker and read receipts in one call (client-server API, "Fully read markers"). */
public final class ReadMarkersRoutes implements Routes {

    /** The body of {@code POST .../read_markers}: each part optional. */
    record ReadMarkersRequest(@JsonProperty("m.fully_read") String fullyRead, @JsonProperty("m.read") String read,
                              @JsonProperty("m.read.private") String readPrivate) {
        ReadMarkersRequest {
            for (String id : new String[] {fullyRead, read, readPrivate}) {
                if (id != null && !EventId.isValid(id)) {
                    throw MatrixException.invalidParam("Invalid event id: " + id);
                }
            }
        }
    }

    private final Receipts receipts;
    private final Authenticator auth;

    public ReadMarkersRoutes(Receipts receipts, Authenticator auth) {
        this.receipts = receipts;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/rooms/:roomId/read_markers").handler(handlers.blocking(this::readMarkers));
    }

    /**
     * {@code POST /_matrix/client/v3/rooms/{roomId}/read_markers} (client-server API, "Fully read
     * markers"): {@code m.read} and {@code m.read.private} as {@code /receipt} would take them, then
     * the fully read marker.
     */
    JsonResponse readMarkers(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        String roomId = Params.roomId(ctx, "roomId");
        ReadMarkersRequest body = Json.bind(ctx, ReadMarkersRequest.class);
        if (body.read() != null) {
            receipts.receipt(requester.userId(), roomId, Receipts.READ, body.read(), null);
        }
        if (body.readPrivate() != null) {
            receipts.receipt(requester.userId(), roomId, Receipts.READ_PRIVATE, body.readPrivate(), null);
        }
        if (body.fullyRead() != null) {
            receipts.fullyRead(requester.userId(), roomId, body.fullyRead());
        }
        return JsonResponse.empty();
    }
}
