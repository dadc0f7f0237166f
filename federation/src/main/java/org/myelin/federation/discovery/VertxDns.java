package org.myelin.federation.discovery;

import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * SRV lookups with Vert.x's DNS client (the system's resolvers), cached for the records' TTL
 * (at least a minute, at most an hour). A failed lookup (NXDOMAIN, timeout) counts as no records.
 */
public final class VertxDns implements ServerResolver.Dns {

    private static final Logger LOG = LoggerFactory.getLogger(VertxDns.class);
    private static final long MIN_TTL_MS = 60_000;
    private static final long MAX_TTL_MS = 3_600_000;

    private record Cached(List<ServerResolver.SrvRecord> records, long expiresAt) {
    }

    private final DnsClient client;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public VertxDns(Vertx vertx, Clock clock) {
        this.client = vertx.createDnsClient();
        this.clock = clock;
    }

    @Override
    public List<ServerResolver.SrvRecord> srv(String name) {
        long now = clock.millis();
        Cached cached = cache.get(name);
        if (cached != null && now < cached.expiresAt()) {
            return cached.records();
        }
        List<ServerResolver.SrvRecord> records;
        long ttl = MIN_TTL_MS;
        try {
            var found = client.resolveSRV(name).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            records = found.stream()
                    .map(r -> new ServerResolver.SrvRecord(r.priority(), r.weight(), r.port(), r.target()))
                    .toList();
            ttl = found.stream().mapToLong(r -> r.ttl() * 1000).min().orElse(MIN_TTL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (Exception e) {
            LOG.debug("No SRV records for {}: {}", name, e.toString());
            records = List.of();
        }
        cache.put(name, new Cached(records, now + Math.max(MIN_TTL_MS, Math.min(MAX_TTL_MS, ttl))));
        return records;
    }
}
