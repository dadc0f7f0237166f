package org.myelin.server.http;

import io.vertx.ext.web.RoutingContext;

/**
 * A request handler written as plain blocking code: it runs on a virtual thread
 * (see {@link Handlers#blocking}), may call JDBC directly, and returns its response or
 * throws ({@link MatrixException} for a Matrix error). It only reads from the
 * {@link RoutingContext}; the adapter writes the response.
 */
@FunctionalInterface
public interface BlockingHandler {
    JsonResponse handle(RoutingContext ctx) throws Exception;
}
