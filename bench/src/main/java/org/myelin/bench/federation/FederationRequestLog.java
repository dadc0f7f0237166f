package org.myelin.bench.federation;

import io.vertx.ext.web.Router;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Routes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a homeserver's federation listener served, per endpoint ({@code federation/v2/send_join},
 * {@code key/v2/server}, …): requests, time from arrival to the end of the response, bytes
 * written. Mounted first on the listener, so the time includes authentication. A diagnostic: it
 * shows which requests a remote server's join or a sender's transactions cost the resident.
 */
public final class FederationRequestLog implements Routes {

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

    /** One request served: when it arrived (System.nanoTime), what, how long, how many bytes out. */
    record Served(long startNanos, String endpoint, long nanos, long bytes) {
    }

    private final Map<String, Totals> byEndpoint = new ConcurrentHashMap<>();
    private final Queue<Served> timeline = new ConcurrentLinkedQueue<>();

    @Override
    public void mount(Router router, Handlers handlers) {
        router.route().order(-2).handler(ctx -> {
            long start = System.nanoTime();
            String endpoint = endpoint(ctx.request().path());
            ctx.addEndHandler(done -> {
                long elapsed = System.nanoTime() - start;
                long bytes = ctx.response().bytesWritten();
                byEndpoint.computeIfAbsent(endpoint, e -> new Totals()).add(elapsed, bytes);
                timeline.add(new Served(start, endpoint, elapsed, bytes));
            });
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

    /** A copy of the totals so far, by endpoint, and forgets them (and the timeline). */
    public Map<String, String> drain() {
        Map<String, String> copy = new TreeMap<>();
        byEndpoint.forEach((k, v) -> copy.put(k, v.toString()));
        byEndpoint.clear();
        timeline.clear();
        return copy;
    }

    /**
     * The requests served since the last drain, in order of arrival, relative to {@code t0}:
     * "+0.61s federation/v1/make_join 7 ms 2 kB", one line each.
     */
    public List<String> timeline(long t0) {
        List<Served> all = new ArrayList<>(timeline);
        all.sort(Comparator.comparingLong(Served::startNanos));
        List<String> lines = new ArrayList<>();
        for (Served s : all) {
            lines.add(String.format("+%.2fs %-28s %7.1f ms %8.1f kB", (s.startNanos() - t0) / 1e9, s.endpoint(),
                    s.nanos() / 1e6, s.bytes() / 1e3));
        }
        return lines;
    }
}
