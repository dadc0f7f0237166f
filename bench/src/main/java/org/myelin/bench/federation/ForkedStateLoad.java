package org.myelin.bench.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.bench.ProcStats;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.head.RoomHead;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.storage.testing.TestDatabases;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One origin forking a room's state: a fake remote server joins a room on Myelin A with
 * {@code members} of its users, is given power, and then offers power-level events at
 * {@code rate} per second, on {@code branches} branches of the room's graph. They go out as a
 * homeserver sends them: what is due when a transaction leaves goes in it (at most 50), with
 * {@code inFlight} transactions under way at once (1 for Synapse's and Myelin's senders; more for
 * a hostile server, which gives the events it sent at {@code /get_missing_events}). On the
 * branches: each event's only prev event is the last one of
 * its branch, so the room keeps that many forward extremities and every event's power levels
 * conflict with the other branches'. Each is resolved against them (state resolution v2.1, room
 * version 12). Meanwhile a local user sends a message every {@code localEveryMs}.
 *
 * <p>Reports, over the {@code seconds} after {@code warmup}: A's CPU per forked event, the answer
 * time of each {@code /send}, the local messages' send latency; A's heap live set (used after a
 * full GC) before the forks and after them, and the peak used meanwhile.
 *
 * <pre>{@code
 * ./myelin build && mvn -B -q -DskipTests package -pl bench -am
 * java -Xmx2g -Dmembers=10000 -Drate=100 -Dseconds=30 -cp bench/target/benchmarks.jar \
 *     org.myelin.bench.federation.ForkedStateLoad
 * }</pre>
 * Options (system properties): {@code members=10000 branches=2 rate=100 seconds=30 warmup=10
 * localEveryMs=100 inFlight=1}.
 */
public final class ForkedStateLoad {

    private record Options(int members, int branches, int rate, int seconds, int warmup, int localEveryMs,
                           int inFlight) {
        static Options fromSystemProperties() {
            return new Options(Integer.getInteger("members", 10_000), Integer.getInteger("branches", 2),
                    Integer.getInteger("rate", 100), Integer.getInteger("seconds", 30),
                    Integer.getInteger("warmup", 10), Integer.getInteger("localEveryMs", 100),
                    Integer.getInteger("inFlight", 1));
        }
    }

    private final Options options;
    private final Report report = new Report();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Queue<String> errors = new ConcurrentLinkedQueue<>();

    private ForkedStateLoad(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        BenchServers.logLevel(System.getProperty("logLevel", "WARN"));
        new ForkedStateLoad(Options.fromSystemProperties()).run();
        System.exit(0); // the embedded PostgreSQL's shutdown hook stops it
    }

    private void run() throws Exception {
        report.info("ForkedStateLoad %s at %s; %d cores; load average %s", options, Instant.now(),
                Runtime.getRuntime().availableProcessors(), ProcStats.loadAverage());
        TestHomeserver a = BenchServers.boot(10, new FederationRequestLog());
        FakeRemoteServer fake = FakeRemoteServer.start();
        try (ClientApi alice = ClientApi.register(BenchServers.clientBase(a), "alice")) {
            String roomId = alice.createPublicRoom("forks");
            String host = fake.user("host");
            ForgedRoom room = ForgedRoom.join(fake, a, roomId, host);
            populate(a, fake, room);
            ObjectNode levels = givePower(alice, roomId, host);
            room.follow(a);
            List<Pdu> forks = forks(room, host, levels, options.rate() * (options.warmup() + options.seconds()));
            long liveBefore = liveHeap();
            resetPeaks();
            storm(a, fake, alice, roomId, forks);
            long peak = peakHeap();
            long liveAfter = liveHeap();
            report.result("heap_live_before", mb(liveBefore), "(used after a full GC, room populated)");
            report.result("heap_peak_during", mb(peak), "(peak used, all pools)");
            report.result("heap_live_after", mb(liveAfter), "(used after a full GC, every fork answered)");
            RoomHead head = a.homeserver().rooms().heads.get(roomId).orElseThrow();
            report.result("extremities_after", Integer.toString(head.forwardExtremities().size()),
                    "(" + head.currentState().size() + " state entries)");
        } finally {
            fake.close();
            a.close();
        }
        report.summary();
    }

    /** {@code members} users of the fake server join, 50 to a transaction. */
    private void populate(TestHomeserver a, FakeRemoteServer fake, ForgedRoom room) {
        long t0 = System.nanoTime();
        List<Pdu> joins = new ArrayList<>();
        for (int i = 0; i < options.members(); i++) {
            joins.add(room.join(fake.user("m" + i)));
        }
        for (int from = 0; from < joins.size(); from += 50) {
            send(a, fake, "join-" + from, joins.subList(from, Math.min(joins.size(), from + 50)));
        }
        report.info("%d members joined in %.1f s (%d refused)", options.members(), (System.nanoTime() - t0) / 1e9,
                refused.get());
    }

    /** Alice gives the fake server's host power 100; the power levels' content. */
    private static ObjectNode givePower(ClientApi alice, String roomId, String host) {
        String path = ClientApi.V3 + "/rooms/" + ClientApi.enc(roomId) + "/state/m.room.power_levels/";
        ObjectNode levels = (ObjectNode) alice.ok("GET", path, null);
        levels.with("users").put(host, 100);
        alice.ok("PUT", path, levels);
        return levels;
    }

    /** The power-level events, signed ahead: event {@code i} on branch {@code i % branches}. */
    private List<Pdu> forks(ForgedRoom room, String host, ObjectNode levels, int count) {
        long t0 = System.nanoTime();
        String[] heads = new String[options.branches()];
        long[] depths = new long[options.branches()];
        java.util.Arrays.fill(heads, room.head());
        java.util.Arrays.fill(depths, room.depth());
        List<Pdu> forks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int b = i % options.branches();
            ObjectNode content = levels.deepCopy();
            content.with("users").put("@fork" + i + ":" + host.substring(host.indexOf(':') + 1), 1);
            Pdu pdu = room.on(List.of(heads[b]), ++depths[b], host, "m.room.power_levels", "", content);
            heads[b] = pdu.eventId();
            forks.add(pdu);
            room.serve(pdu);
        }
        report.info("%d power-level events on %d branches signed in %.1f s", count, options.branches(),
                (System.nanoTime() - t0) / 1e9);
        return forks;
    }

    /**
     * Offers the forks at the rate, sent by {@code inFlight} senders in transactions of what is due,
     * with local messages beside them; measures after the warm-up.
     */
    private void storm(TestHomeserver a, FakeRemoteServer fake, ClientApi alice, String roomId, List<Pdu> forks)
            throws InterruptedException {
        Queue<Double> answers = new ConcurrentLinkedQueue<>();
        Queue<Double> local = new ConcurrentLinkedQueue<>();
        int warmupForks = options.rate() * options.warmup();
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / options.rate();
        long start = System.nanoTime();
        AtomicInteger taken = new AtomicInteger();
        AtomicLong transactions = new AtomicLong();
        CpuWindow[] window = new CpuWindow[1];
        int[] measuredFrom = new int[1];
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int s = 0; s < options.inFlight(); s++) {
                threads.submit(() -> {
                    while (true) {
                        List<Pdu> batch;
                        long offered;
                        synchronized (taken) {
                            int from = taken.get();
                            if (from >= forks.size()) {
                                return null;
                            }
                            long now = System.nanoTime();
                            int due = (int) Math.min(forks.size(), (now - start) / intervalNanos + 1);
                            if (due <= from) {
                                offered = -1;
                                batch = List.of();
                            } else {
                                int to = Math.min(due, from + 50);
                                batch = forks.subList(from, to);
                                taken.set(to);
                                offered = start + from * intervalNanos;
                                if (window[0] == null && from >= warmupForks) {
                                    window[0] = CpuWindow.start(TestDatabases.server().directory());
                                    measuredFrom[0] = from;
                                }
                            }
                        }
                        if (batch.isEmpty()) {
                            Thread.sleep(0, 500_000);
                            continue;
                        }
                        send(a, fake, "fork-" + transactions.incrementAndGet() + "-" + batch.getFirst().eventId(), batch);
                        if (offered >= start + warmupForks * intervalNanos) {
                            // From when the oldest of the batch was offered until it was answered.
                            answers.add((System.nanoTime() - offered) / 1e6);
                        }
                    }
                });
            }
            int n = 0;
            for (long next = start; next < start + intervalNanos * forks.size();
                 next += TimeUnit.MILLISECONDS.toNanos(options.localEveryMs())) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                boolean measured = System.nanoTime() - start > intervalNanos * warmupForks;
                int number = n++;
                threads.submit(() -> localMessage(alice, roomId, number, measured ? local : null));
            }
            threads.shutdown();
            if (!threads.awaitTermination(10, TimeUnit.MINUTES)) {
                report.info("forks still unanswered after 10 minutes");
            }
        }
        // From the first transaction of the measured part until every fork was answered.
        CpuWindow.Usage usage = window[0].stop();
        long measured = forks.size() - measuredFrom[0];
        report.result("cpu", usage.toString(), "(measured part, until every fork was answered)");
        report.result("server_cpu_per_fork", String.format("%.2f ms (%d forks in %.1f s: %.0f forks/s handled; "
                        + "%d transactions in all)", usage.server() * usage.seconds() * 1000 / measured, measured,
                usage.seconds(), measured / usage.seconds(), transactions.get()), "(local messages beside)");
        report.info("all answered %.1f s after the first fork was offered", (System.nanoTime() - start) / 1e9);
        report.result("fork_answer_time", Percentiles.of(answers).toString(),
                "(from the offer of a transaction's oldest fork to its answer, measured part)");
        report.result("local_send_latency", Percentiles.of(local).toString(),
                "(PUT /send of a local message, measured part)");
        report.result("forks_answered", String.format("%d accepted, %d refused of %d", accepted.get(), refused.get(),
                forks.size() + options.members()), errors.isEmpty() ? "" : "first errors: " + List.copyOf(errors));
    }

    private void localMessage(ClientApi alice, String roomId, int n, Queue<Double> latencies) {
        long t0 = System.nanoTime();
        ClientApi.Response r = alice.call("PUT", ClientApi.V3 + "/rooms/" + ClientApi.enc(roomId)
                        + "/send/m.room.message/local" + n,
                ClientApi.JSON.createObjectNode().put("msgtype", "m.text").put("body", "local " + n),
                Duration.ofMinutes(5));
        if (r.status() != 200) {
            note("local message: " + r.status() + " " + r.body());
        } else if (latencies != null) {
            latencies.add((System.nanoTime() - t0) / 1e6);
        }
    }

    /** One transaction of {@code pdus}; counts each result. */
    private void send(TestHomeserver a, FakeRemoteServer fake, String txnId, List<Pdu> pdus) {
        List<ObjectNode> json = pdus.stream().map(Pdu::jsonCopy).toList();
        HttpResponse<String> response;
        try {
            response = fake.request(a, "PUT", "/_matrix/federation/v1/send/" + txnId, fake.transactionOf(json, List.of()));
        } catch (RuntimeException e) {
            note("transaction failed: " + e);
            refused.addAndGet(pdus.size());
            return;
        }
        if (response.statusCode() != 200) {
            note(response.statusCode() + " " + response.body());
            refused.addAndGet(pdus.size());
            return;
        }
        JsonNode results = TestHomeserver.json(response).path("pdus");
        for (Pdu pdu : pdus) {
            JsonNode result = results.path(pdu.eventId());
            if (result.isObject() && result.isEmpty()) {
                accepted.incrementAndGet();
            } else {
                refused.incrementAndGet();
                note(result.toString());
            }
        }
    }

    private void note(String error) {
        if (errors.size() < 5) {
            errors.add(error);
        }
    }

    private static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void resetPeaks() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    private static String mb(long bytes) {
        return String.format("%.0f MB", bytes / 1e6);
    }
}
