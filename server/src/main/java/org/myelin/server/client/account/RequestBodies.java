package org.myelin.server.client.account;

import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;

/** Reading request bodies and query parameters the way these endpoints need. */
final class RequestBodies {

    private RequestBodies() {}

    /**
     * Binds the body, or an empty object when there is none: clients send DELETE
     * /devices/{id} and guest registration without a body (Synapse accepts that too).
     */
    static <T> T bindOrEmpty(RoutingContext ctx, Class<T> type) {
        if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().buffer().length() == 0) {
            try {
                return Json.MAPPER.readValue("{}", type);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return Json.bind(ctx, type);
    }

    /** A required query parameter (400 M_MISSING_PARAM when absent). */
    static String requiredQuery(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        if (values.isEmpty()) {
            throw MatrixException.missingParam("Missing query parameter '" + name + "'");
        }
        return values.getFirst();
    }
}
