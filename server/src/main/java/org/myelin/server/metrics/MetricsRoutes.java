package org.myelin.server.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Routes;

/**
 * {@code GET /metrics} and {@code GET /_synapse/metrics} (Synapse's path, which existing scrape
 * configurations use): every meter in the Prometheus text format, version 0.0.4. Served only by a
 * listener with the {@code metrics} resource.
 */
public final class MetricsRoutes implements Routes {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    public MetricsRoutes(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        // On a worker, off the event loop: a scrape walks every meter, histograms included.
        router.get("/metrics").blockingHandler(this::scrape, false);
        router.get("/_synapse/metrics").blockingHandler(this::scrape, false);
    }

    private void scrape(RoutingContext ctx) {
        String text = registry.scrape();
        ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(text);
    }
}
