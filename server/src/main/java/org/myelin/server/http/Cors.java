package org.myelin.server.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * CORS for web clients (client-server API, "Web Browser Clients"): the recommended headers on
 * every response, and every {@code OPTIONS} request answered at once, without auth and
 * without running the endpoint's logic, as the spec requires.
 */
final class Cors implements Handler<RoutingContext> {

    @Override
    public void handle(RoutingContext ctx) {
        MultiMap headers = ctx.response().headers();
        headers.set("Access-Control-Allow-Origin", "*");
        headers.set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
        headers.set("Access-Control-Allow-Headers", "X-Requested-With, Content-Type, Authorization");
        if (ctx.request().method() == HttpMethod.OPTIONS) {
            ctx.response().setStatusCode(204).end();
            return;
        }
        ctx.next();
    }
}
