package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;

/** What the keys endpoints read from a request besides their own fields. */
final class KeyRequests {

    /** The longest a query or claim waits for other servers, whatever the client asks. */
    static final long MAX_TIMEOUT_MS = 60_000;

    private KeyRequests() {
    }

    /** The body, which must be a JSON object. */
    static ObjectNode body(RoutingContext ctx) {
        JsonNode body = Json.parseBody(ctx);
        if (!(body instanceof ObjectNode object)) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        return object;
    }

    /**
     * How long to wait for other servers: the body's {@code timeout} (the spec's place), else the
     * {@code timeout} query parameter (Synapse's), else 10 seconds.
     */
    static long timeoutMs(RoutingContext ctx, ObjectNode body) {
        JsonNode timeout = body.get("timeout");
        long ms = KeyQueries.DEFAULT_TIMEOUT_MS;
        Long fromQuery = Params.queryLong(ctx, "timeout");
        if (timeout != null && timeout.canConvertToLong()) {
            ms = timeout.asLong();
        } else if (fromQuery != null) {
            ms = fromQuery;
        }
        return Math.max(0, Math.min(ms, MAX_TIMEOUT_MS));
    }
}
