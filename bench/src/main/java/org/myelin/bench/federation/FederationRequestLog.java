package org.myelin.bench.federation;

import io.vertx.ext.web.Router;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Routes;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a homeserver's federation listener served, per endpoint ({@code federation/v2/send_join},
 * {@code key/v2/server}, …): requests, time from arrival to the end of the response, bytes
 * written. Mounted first on the listener, so the time includes authentication. A diagnostic: it
 * shows which requests a remote server's join or a sender's transactions cost the resident.
 */
final class FederationRequestLog implements Routes {

    /** One endpoint's totals. */
    static final class Totals {
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();
        final LongAdder bytes = new LongAdder();
        volatile long maxNanos;

        synchronized void add(long elapsed, long written) {
            count.increment();
            nanos.add(elapsed);
            bytes.add(written);
            maxNanos = Math.max(maxNanos, elapsed);
        }

        @Override
        public String toString() {
            long n = count.sum();
            return String.format("%d requests, mean %.1f ms, max %.1f ms, %.1f MB out", n,
                    n == 0 ? 0 : nanos.sum() / 1e6 / n, maxNanos / 1e6, bytes.sum() / 1e6);
        }
    }

    private final Map<String, Totals> byEndpoint = new ConcurrentHashMap<>();

    @Override
    public void mount(Router router, Handlers handlers) {
        router.route().order(-2).handler(ctx -> {
            long start = System.nanoTime();
            String endpoint = endpoint(ctx.request().path());
            ctx.addEndHandler(done -> byEndpoint.computeIfAbsent(endpoint, e -> new Totals())
                    .add(System.nanoTime() - start, ctx.response().bytesWritten()));
            ctx.next();
        });
    }

    /** {@code /_matrix/federation/v2/send_join/!r/$e} is {@code federation/v2/send_join}. */
    static String endpoint(String path) {
        String[] parts = path.split("/");
        StringBuilder name = new StringBuilder();
        for (int i = 2; i < Math.min(parts.length, 5); i++) {
            name.append(i > 2 ? "/" : "").append(parts[i]);
        }
        return name.toString();
    }

    /** A copy of the totals so far, by endpoint, and forgets them. */
    Map<String, String> drain() {
        Map<String, String> copy = new TreeMap<>();
        byEndpoint.forEach((k, v) -> copy.put(k, v.toString()));
        byEndpoint.clear();
        return copy;
    }
}
