package org.myelin.server.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;

/**
 * The router of one listener: request metrics (when on), the access log, the client address (from {@code X-Forwarded-For}
 * on a listener behind a reverse proxy), CORS, the routes every listener serves, the routes of
 * each resource the listener serves, and the listener's {@link ErrorMapper}.
 *
 * <p>No body is read before routing: each route reads its own, within its {@link BodyLimit}
 * ({@link Handlers#blocking}), once the path is known to be served.
 */
public final class ListenerRouter {

    private ListenerRouter() {}

    /**
     * @param everyListener routes served whatever the listener's resources ({@code /health})
     */
    public static Router create(Vertx vertx, HomeserverConfig.Listener listener, Map<Resource, List<Routes>> routes,
                                Routes everyListener, Handlers handlers,
                                Optional<? extends Handler<RoutingContext>> requestMetrics) {
        Router router = Router.router(vertx);
        requestMetrics.ifPresent(metrics -> router.route().handler(metrics));
        router.route().handler(new AccessLog());
        if (listener.xForwarded()) {
            router.route().handler(ClientAddress.behindProxy());
        }
        // Older clients (matrix-nio 0.20, Debian's) still call the r0 paths, which Synapse serves
        // as v3.
        router.route("/_matrix/client/r0/*").handler(ctx -> ctx.reroute(
                "/_matrix/client/v3/" + ctx.request().path().substring("/_matrix/client/r0/".length())
                        + (ctx.request().query() == null ? "" : "?" + ctx.request().query())));
        router.route().handler(new Cors());
        everyListener.mount(router, handlers);
        for (Resource resource : listener.resources()) {
            for (Routes group : routes.getOrDefault(resource, List.of())) {
                group.mount(router, handlers);
            }
        }
        ErrorMapper.install(router);
        return router;
    }
}
