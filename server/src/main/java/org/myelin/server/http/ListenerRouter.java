package org.myelin.server.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import org.myelin.server.config.Resource;

/**
 * The router of one listener: CORS, the request body (bounded), the routes of each resource
 * the listener serves, and the listener's {@link ErrorMapper}.
 */
public final class ListenerRouter {

    private ListenerRouter() {}

    public static Router create(Vertx vertx, List<Resource> resources, Map<Resource, List<Routes>> routes,
                                Handlers handlers, long maxBodyBytes) {
        Router router = Router.router(vertx);
        // Older clients (matrix-nio 0.20, Debian's) still call the r0 paths, which Synapse serves
        // as v3. Rerouted before the body is read, so the second pass reads it once.
        router.route("/_matrix/client/r0/*").handler(ctx -> ctx.reroute(
                "/_matrix/client/v3/" + ctx.request().path().substring("/_matrix/client/r0/".length())
                        + (ctx.request().query() == null ? "" : "?" + ctx.request().query())));
        router.route().handler(new Cors());
        // Past the limit the body handler fails the request with 413, mapped to M_TOO_LARGE.
        router.route().handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
        for (Resource resource : resources) {
            for (Routes group : routes.getOrDefault(resource, List.of())) {
                group.mount(router, handlers);
            }
        }
        ErrorMapper.install(router);
        return router;
    }
}
