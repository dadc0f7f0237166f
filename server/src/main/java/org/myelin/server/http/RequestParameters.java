package org.myelin.server.http;

import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * The check every request's path and query parameters pass before its handler runs: none may hold
 * U+0000 (sent as {@code %00}). No identifier, type, token or name holds one, and PostgreSQL text,
 * which they are stored in and looked up by, cannot.
 */
final class RequestParameters {

    private RequestParameters() {
    }

    /** Throws 400 M_INVALID_PARAM if a path or query parameter of the request holds U+0000. */
    static void check(RoutingContext ctx) {
        for (Map.Entry<String, String> p : ctx.pathParams().entrySet()) {
            refuseNul(p.getKey(), p.getValue());
        }
        for (Map.Entry<String, String> p : ctx.queryParams()) {
            refuseNul(p.getKey(), p.getValue());
        }
    }

    private static void refuseNul(String name, String value) {
        if (name.indexOf('\0') >= 0 || (value != null && value.indexOf('\0') >= 0)) {
            throw MatrixException.invalidParam("Parameter '" + name.replace('\0', ' ') + "' holds U+0000");
        }
    }
}
