package org.myelin.server.metrics;

import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.core.instrument.Gauge;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Policy;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;

/**
 * The server's meters, kept only when a listener serves the {@code metrics} resource: then a
 * Prometheus registry that the listeners ({@link RequestMetrics}: requests by route template,
 * method and status, with latency histograms), Vert.x's HTTP client, the connection pool, the
 * event persister and the JVM report to. Otherwise every part records to a registry-less
 * composite, whose meters do nothing, and Vert.x runs without its metrics SPI.
 */
public final class ServerMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry prometheus;
    private final MeterRegistry registry;
    private final RequestMetrics requests;
    private JvmGcMetrics gc;

    private ServerMetrics(PrometheusMeterRegistry prometheus) {
        this.prometheus = prometheus;
        this.registry = prometheus != null ? prometheus : new CompositeMeterRegistry();
        this.requests = prometheus != null ? new RequestMetrics(prometheus) : null;
    }

    public static ServerMetrics of(HomeserverConfig config) {
        if (config.listenerServing(Resource.METRICS).isEmpty()) {
            return new ServerMetrics(null);
        }
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Latency histograms (Prometheus buckets) for Vert.x's HTTP client timings.
        prometheus.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() == Meter.Type.TIMER && id.getName().startsWith("vertx.http.")) {
                    return DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config);
                }
                return config;
            }
        });
        ServerMetrics metrics = new ServerMetrics(prometheus);
        metrics.bindJvm();
        return metrics;
    }

    public boolean enabled() {
        return prometheus != null;
    }

    /** Where parts record; a no-op registry when metrics are off. */
    public MeterRegistry registry() {
        return registry;
    }

    /** What times each request of a listener, when metrics are on (installed first on every router). */
    public Optional<RequestMetrics> requests() {
        return Optional.ofNullable(requests);
    }

    /** The Prometheus registry the {@code metrics} listener scrapes, when metrics are on. */
    public Optional<PrometheusMeterRegistry> prometheus() {
        return Optional.ofNullable(prometheus);
    }

    /**
     * A Vert.x instance reporting its HTTP client metrics here (outbound federation, pushes,
     * application services), by method and status; no addresses. The server side is timed by
     * {@link RequestMetrics} instead of Vert.x's HTTP server metrics, whose cost per request the
     * many woken {@code /sync}s of each message multiply.
     */
    public Vertx newVertx() {
        if (prometheus == null) {
            return Vertx.vertx();
        }
        MicrometerMetricsOptions options = new MicrometerMetricsOptions()
                .setEnabled(true)
                .setJvmMetricsEnabled(false) // bound here, once, whatever Vert.x does
                .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE));
        // Requests are what operators read; per-connection byte counts, the event bus (unused),
        // Vert.x's named pools (the blocking work runs on virtual threads) and verticles are
        // recorded on every read, write or task for nothing worth their cost.
        for (MetricsDomain unused : EnumSet.of(MetricsDomain.HTTP_SERVER, MetricsDomain.NET_SERVER,
                MetricsDomain.NET_CLIENT,
                MetricsDomain.DATAGRAM_SOCKET, MetricsDomain.EVENT_BUS, MetricsDomain.NAMED_POOLS,
                MetricsDomain.VERTICLES)) {
            options.addDisabledMetricsCategory(unused);
        }
        return Vertx.builder().with(new VertxOptions().setMetricsOptions(options))
                .withMetrics(new MicrometerMetricsFactory(prometheus)).build();
    }

    /**
     * Reports each cache under its name: Micrometer's Caffeine meters ({@code cache_size},
     * {@code cache_gets_total} by hit and miss, {@code cache_evictions_total}, {@code cache_puts_total})
     * and, for caches bounded by weight rather than entries, {@code cache_weight} (the event
     * cache's estimated bytes).
     */
    public void recordCaches(Map<String, Cache<?, ?>> caches) {
        caches.forEach((name, cache) -> {
            CaffeineCacheMetrics.monitor(registry, cache, name);
            cache.policy().eviction().filter(Policy.Eviction::isWeighted).ifPresent(eviction ->
                    Gauge.builder("cache.weight", eviction, e -> e.weightedSize().orElse(0))
                            .tag("cache", name)
                            .description("The sum of the weights of the cache's entries")
                            .register(registry));
        });
    }

    private void bindJvm() {
        new JvmMemoryMetrics().bindTo(prometheus);
        gc = new JvmGcMetrics();
        gc.bindTo(prometheus);
        new JvmThreadMetrics().bindTo(prometheus);
        new ClassLoaderMetrics().bindTo(prometheus);
        new ProcessorMetrics().bindTo(prometheus);
        new UptimeMetrics().bindTo(prometheus);
    }

    @Override
    public void close() {
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }
}
