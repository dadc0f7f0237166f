package org.myelin.bench.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.storage.testing.TestDatabases;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Phase 1, federation latency: three Myelins A, B and C; a public room on A, joined by a user of
 * B and a user of C by alias (the real make_join/send_join handshake); a user of A sends
 * messages at a steady rate while B's and C's users long-poll /sync. For each message, the time
 * from the send request on A until it appears in B's (and C's) /sync: A's pipeline, A's outbound
 * queue, the transaction over TLS, the remote pipeline, the remote notifier and /sync together.
 */
final class LatencyPhase {

    private static final String FILTER = ClientApi.enc("{\"room\":{\"timeline\":{\"limit\":200}},"
            + "\"presence\":{\"not_types\":[\"*\"]},\"account_data\":{\"not_types\":[\"*\"]}}");
    private static final int SYNC_TIMEOUT_MS = 5_000;

    private final Options options;
    private final Report report;

    LatencyPhase(Options options, Report report) {
        this.options = options;
        this.report = report;
    }

    void run() throws Exception {
        FederationRequestLog logA = new FederationRequestLog();
        try (TestHomeserver a = BenchServers.boot(options.pool(), logA);
             TestHomeserver b = BenchServers.boot(options.pool(), new FederationRequestLog());
             TestHomeserver c = BenchServers.boot(options.pool(), new FederationRequestLog());
             ClientApi alice = ClientApi.register(BenchServers.clientBase(a), "alice");
             ClientApi bob = ClientApi.register(BenchServers.clientBase(b), "bob");
             ClientApi carol = ClientApi.register(BenchServers.clientBase(c), "carol")) {
            String roomId = alice.createPublicRoom("latency");
            String alias = "#latency:" + a.serverName();
            long t0 = System.nanoTime();
            bob.join(alias, Duration.ofSeconds(60));
            report.info("B joined %s by alias in %.0f ms", alias, (System.nanoTime() - t0) / 1e6);
            t0 = System.nanoTime();
            carol.join(alias, Duration.ofSeconds(60));
            report.info("C joined by alias in %.0f ms", (System.nanoTime() - t0) / 1e6);
            awaitMembers(List.of(alice, bob, carol), roomId, 3);
            measure(roomId, alice, bob, carol);
            report.info("A's federation listener during phase 1: %s", logA.drain());
        }
    }

    private void measure(String roomId, ClientApi alice, ClientApi bob, ClientApi carol) throws Exception {
        int warmupCount = options.rate() * options.warmup();
        int total = warmupCount + options.rate() * options.seconds();
        AtomicLongArray sentAt = new AtomicLongArray(total);
        ConcurrentLinkedQueue<Double> ack = new ConcurrentLinkedQueue<>();
        Watcher onB = new Watcher(bob, roomId, sentAt, warmupCount);
        Watcher onC = new Watcher(carol, roomId, sentAt, warmupCount);
        onB.start();
        onC.start();
        CpuWindow cpu = CpuWindow.start(TestDatabases.server().directory());
        long period = TimeUnit.SECONDS.toNanos(1) / options.rate();
        long next = System.nanoTime();
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch acked = new CountDownLatch(total);
        for (int seq = 0; seq < total; seq++) {
            LockSupport.parkNanos(next - System.nanoTime());
            next += period;
            int n = seq;
            Thread.ofVirtual().start(() -> {
                ObjectNode content = ClientApi.JSON.createObjectNode().put("msgtype", "m.text").put("body", "lat " + n);
                long start = System.nanoTime();
                sentAt.set(n, start);
                try {
                    alice.ok("PUT", ClientApi.V3 + "/rooms/" + ClientApi.enc(roomId) + "/send/m.room.message/"
                            + UUID.randomUUID(), content, Duration.ofSeconds(30));
                    if (n >= warmupCount) {
                        ack.add((System.nanoTime() - start) / 1e6);
                    }
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                } finally {
                    acked.countDown();
                }
            });
        }
        acked.await(30, TimeUnit.SECONDS);
        int measured = total - warmupCount;
        // Bounded: stragglers get ten more seconds.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((onB.latencies.size() < measured || onC.latencies.size() < measured) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        onB.stop();
        onC.stop();
        CpuWindow.Usage usage = cpu.stop();
        report.result("phase1.send_ack_on_A", Percentiles.of(ack) + " failed=" + failed.get(),
                "(the send request's own round trip on A)");
        report.latency("phase1.latency_A_to_B", Percentiles.of(onB.latencies), measured, 50, 250);
        report.latency("phase1.latency_A_to_C", Percentiles.of(onC.latencies), measured, 50, 250);
        report.result("phase1.cpu", usage.machineShares(), "(A, B, C and their clients in this JVM)");
        report.info("phase 1, by 5 s of sending (p50/p99 ms): B %s; C %s", onB.byWindow(warmupCount, 5 * options.rate()),
                onC.byWindow(warmupCount, 5 * options.rate()));
    }

    /** Waits until every user's server lists {@code count} joined members (bounded: 60 s). */
    private void awaitMembers(List<ClientApi> users, String roomId, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (ClientApi u : users) {
            while (u.joinedMemberCount(roomId) < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(u.userId + " never saw " + count + " members in " + roomId);
                }
                Thread.sleep(100);
            }
        }
    }

    /** A user long-polling /sync, noting when each measured message first shows up. */
    private static final class Watcher {
        final ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        private final ClientApi user;
        private final String roomId;
        private final AtomicLongArray sentAt;
        private final int warmupCount;
        private final boolean[] seen;
        private final double[] latencyBySeq;
        private volatile boolean running = true;
        private Thread thread;

        Watcher(ClientApi user, String roomId, AtomicLongArray sentAt, int warmupCount) {
            this.user = user;
            this.roomId = roomId;
            this.sentAt = sentAt;
            this.warmupCount = warmupCount;
            this.seen = new boolean[sentAt.length()];
            this.latencyBySeq = new double[sentAt.length()];
        }

        /** p50/p99 of the measured messages, window by window of {@code size} messages. */
        String byWindow(int from, int size) {
            StringBuilder out = new StringBuilder();
            for (int start = from; start < latencyBySeq.length; start += size) {
                List<Double> window = new java.util.ArrayList<>();
                for (int n = start; n < Math.min(latencyBySeq.length, start + size); n++) {
                    if (seen[n]) {
                        window.add(latencyBySeq[n]);
                    }
                }
                Percentiles p = Percentiles.of(window);
                out.append(String.format(" %.0f/%.0f", p.p50(), p.p99()));
            }
            return out.toString().trim();
        }

        void start() {
            String since = user.ok("GET", ClientApi.V3 + "/sync?timeout=0&filter=" + FILTER, null)
                    .path("next_batch").asText();
            thread = Thread.ofVirtual().start(() -> loop(since));
        }

        private void loop(String initialSince) {
            String since = initialSince;
            while (running) {
                JsonNode body;
                try {
                    body = user.ok("GET", ClientApi.V3 + "/sync?timeout=" + SYNC_TIMEOUT_MS + "&filter=" + FILTER
                            + "&since=" + ClientApi.enc(since), null, Duration.ofSeconds(30));
                } catch (RuntimeException e) {
                    if (running) {
                        System.err.println("# sync failed for " + user.userId + ": " + e.getMessage());
                    }
                    return;
                }
                long now = System.nanoTime();
                since = body.path("next_batch").asText(since);
                for (JsonNode e : body.path("rooms").path("join").path(roomId).path("timeline").path("events")) {
                    String text = e.path("content").path("body").asText("");
                    if (!"m.room.message".equals(e.path("type").asText()) || !text.startsWith("lat ")) {
                        continue;
                    }
                    int n = Integer.parseInt(text.substring(4));
                    if (n < seen.length && !seen[n] && sentAt.get(n) != 0) {
                        seen[n] = true;
                        latencyBySeq[n] = (now - sentAt.get(n)) / 1e6;
                        if (n >= warmupCount) {
                            latencies.add(latencyBySeq[n]);
                        }
                    }
                }
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(TimeUnit.SECONDS.toMillis(SYNC_TIMEOUT_MS / 1000 + 5));
        }
    }
}
