package org.myelin.server.http;

import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The checks every request's path and query parameters pass before its handler runs: none may hold
 * U+0000 (sent as {@code %00}), and no path parameter may be longer than
 * {@link #MAX_PATH_PARAMETER_BYTES}. No identifier, type, token or name holds U+0000, and
 * PostgreSQL text, which they are stored in and looked up by, cannot; and a stored value much
 * longer than an identifier no longer fits the index entry it is a key of.
 */
final class RequestParameters {

    /**
     * Longest path parameter, in UTF-8 bytes. Each names something (an id, an event or account data
     * type, a state or profile key, a tag, a push rule, a transaction) that is at most 255 bytes by
     * the spec or by its endpoint's own check, which answers with its own errcode; this bound only
     * keeps what no endpoint checks (a transaction id, an account data type, a push rule id) within
     * what an index entry holds, with the other columns of its key (PostgreSQL: about 2.7 kB).
     */
    static final int MAX_PATH_PARAMETER_BYTES = 1024;

    private RequestParameters() {
    }

    /** Throws 400 M_INVALID_PARAM if a path or query parameter of the request breaks the rules above. */
    static void check(RoutingContext ctx) {
        for (Map.Entry<String, String> p : ctx.pathParams().entrySet()) {
            refuseNul(p.getKey(), p.getValue());
            if (p.getValue() != null
                    && p.getValue().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_PARAMETER_BYTES) {
                throw MatrixException.invalidParam("Path parameter '" + p.getKey() + "' is longer than "
                        + MAX_PATH_PARAMETER_BYTES + " bytes");
            }
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
