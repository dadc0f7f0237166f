package org.myelin.server.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The time of every HTTP request a listener serves, by route template, method and status
 * ({@code myelin_http_server_requests_seconds}, a Prometheus histogram), measured from the
 * request's routing to the end of its response.
 *
 * <p>Why not Vert.x's HTTP server metrics: they record five meters a request (count, time, active
 * requests, request and response sizes) and build their tags anew each time, and Vert.x counts
 * the bytes of each write for them; with a woken {@code /sync} for every member a message reaches,
 * that was about 5 % of the server's CPU per message (BENCHMARKS.md, "The cost of metrics").
 * Here a request costs a map look-up of its (route, method, status) and one histogram record.
 */
public final class RequestMetrics implements Handler<RoutingContext> {

    /** Where {@link #routed} keeps the route that took the request, for its label. */
    private static final String ROUTE_KEY = "myelin.metrics.route";
    private static final String STARTED_KEY = "myelin.metrics.started";
    /** Requests no route of ours took (404s, CORS preflights answered before routing, bad requests). */
    private static final String UNROUTED = "unrouted";
    private static final Set<HttpMethod> KNOWN_METHODS = Set.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.POST,
            HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.HEAD, HttpMethod.PATCH);

    private record Series(String route, String method, int status) {
    }

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Series, Timer> timers = new ConcurrentHashMap<>();

    RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Remembers the route whose handler takes the request: a failure later re-routes the request
     * to the failure handler, and the label must still name the endpoint.
     */
    public static void routed(RoutingContext ctx) {
        Route route = ctx.currentRoute();
        if (route != null && route.getPath() != null) {
            ctx.put(ROUTE_KEY, route.getPath());
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (ctx.get(STARTED_KEY) == null) { // once: a rerouted request (r0 paths) comes back here
            long started = System.nanoTime();
            ctx.put(STARTED_KEY, started);
            ctx.addEndHandler(ended -> record(ctx, started));
        }
        ctx.next();
    }

    private void record(RoutingContext ctx, long started) {
        String route = ctx.get(ROUTE_KEY);
        if (route == null) {
            // A route answering on the event loop (/health, /metrics) is still the current one.
            Route current = ctx.currentRoute();
            route = current != null && current.getPath() != null ? current.getPath() : UNROUTED;
        }
        HttpMethod method = ctx.request().method();
        Series series = new Series(route,
                KNOWN_METHODS.contains(method) ? method.name() : "OTHER", ctx.response().getStatusCode());
        timers.computeIfAbsent(series, this::timer).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    private Timer timer(Series s) {
        return Timer.builder("myelin.http.server.requests")
                .description("HTTP requests served, by route template, method and status")
                .tag("route", s.route()).tag("method", s.method()).tag("code", Integer.toString(s.status()))
                .publishPercentileHistogram()
                .register(registry);
    }
}
