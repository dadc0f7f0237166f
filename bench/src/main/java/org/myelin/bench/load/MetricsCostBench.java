package org.myelin.bench.load;

import org.myelin.bench.ProcStats;
import org.myelin.storage.EmbeddedPostgresServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What metrics cost in message throughput, measured as a paired comparison: two Myelin processes
 * side by side, one serving Prometheus metrics (scraped while it is loaded) and one without,
 * each with {@code users} users in {@code rooms} rooms long-polling {@code /sync} as in
 * {@link ClientLoad}. The closed-loop send load goes to one server at a time, in short bursts that
 * alternate (A B, then B A, so that a drift of the machine's load falls on both alike); each
 * round's ratio compares two bursts made seconds apart, which a noisy shared machine disturbs far
 * less than it does runs minutes apart.
 *
 * <p>Per burst: messages acknowledged per second (after a ramp) and the server process's CPU per
 * message. The report gives, per pair of processes and over all pairs, the median and a
 * bootstrap 95 % interval of the per-round ratios.
 *
 * <p>Run from the repository root:
 * <pre>{@code
 * ./myelin build && mvn -B -q -o -DskipTests package -pl bench -am
 * java -cp bench/target/benchmarks.jar org.myelin.bench.load.MetricsCostBench
 * }</pre>
 * Options (system properties): {@code pairs=3 users=100 rooms=10 warmupRounds=6 rounds=20
 * burstSeconds=5 rampMillis=1000 scrapeSeconds=15} (seconds of the metrics server's load between
 * scrapes).
 */
public final class MetricsCostBench {

    private MetricsCostBench() {
    }

    /** One server of the pair and its users. */
    record Side(String name, Process process, MatrixHttp http, List<ClientLoad.User> users,
                ClientLoad.SyncFleet fleet) {
    }

    /** One burst's figures. */
    record Burst(double messagesPerSecond, double serverCpuMsPerMessage) {
    }

    public static void main(String[] args) throws Exception {
        int users = Integer.getInteger("users", 100);
        int rooms = Integer.getInteger("rooms", 10);
        int pairs = Integer.getInteger("pairs", 3);
        Path dir = Files.createTempDirectory("myelin-bench-metrics");
        List<Double> throughputRatios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), dir.resolve("pg.log"),
                EmbeddedPostgresServer.Mode.DISPOSABLE)) {
            // Each pair is two new processes: how a JVM happens to compile the hot paths differs
            // from one process to the next by more than the cost looked for, so one pair alone
            // would measure those two processes.
            for (int pair = 1; pair <= pairs; pair++) {
                List<Double> pairThroughput = new ArrayList<>();
                List<Double> pairCpu = new ArrayList<>();
                measurePair(pg, dir.resolve("pair" + pair), pair, users, rooms, pairThroughput, pairCpu);
                System.out.println("pair " + pair + ": throughput with metrics / without, per round: "
                        + summary(pairThroughput));
                System.out.println("pair " + pair + ": server CPU per message with metrics / without, per round: "
                        + summary(pairCpu));
                throughputRatios.addAll(pairThroughput);
                cpuRatios.addAll(pairCpu);
            }
        }
        System.out.println("all pairs: throughput with metrics / without, per round: " + summary(throughputRatios));
        System.out.println("all pairs: server CPU per message with metrics / without, per round: " + summary(cpuRatios));
    }

    private static void measurePair(EmbeddedPostgresServer pg, Path dir, int pair, int users, int rooms,
                                    List<Double> throughputRatios, List<Double> cpuRatios) throws Exception {
        int warmupRounds = Integer.getInteger("warmupRounds", 6);
        int rounds = Integer.getInteger("rounds", 20);
        int burstSeconds = Integer.getInteger("burstSeconds", 5);
        long rampMillis = Long.getLong("rampMillis", 1000);
        double scrapeSeconds = Double.parseDouble(System.getProperty("scrapeSeconds", "15"));
        try (Connection c = pg.adminDataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE myelin_on_" + pair);
            s.execute("CREATE DATABASE myelin_off_" + pair);
        }
        int metricsPort = ClientLoad.freePort();
        Side on = start(pg, dir, "on_" + pair, metricsPort, users, rooms);
        Side off = start(pg, dir, "off_" + pair, 0, users, rooms);
        Scraper scraper = new Scraper(metricsPort, scrapeSeconds);
        try {
            System.out.printf("pair %d: metrics on pid %d, off pid %d; %d users in %d rooms each; bursts of %d s"
                            + " (%d ms ramp); a scrape every %.0f s of the metrics server's load; load average %s%n",
                    pair, on.process().pid(), off.process().pid(), users, rooms, burstSeconds, rampMillis,
                    scrapeSeconds, ProcStats.loadAverage());
            for (int i = 0; i < warmupRounds; i++) {
                burst(on, burstSeconds, rampMillis, scraper);
                burst(off, burstSeconds, rampMillis, null);
            }
            for (int i = 0; i < rounds; i++) {
                Burst a;
                Burst b;
                if (i % 2 == 0) {
                    a = burst(on, burstSeconds, rampMillis, scraper);
                    b = burst(off, burstSeconds, rampMillis, null);
                } else {
                    b = burst(off, burstSeconds, rampMillis, null);
                    a = burst(on, burstSeconds, rampMillis, scraper);
                }
                throughputRatios.add(a.messagesPerSecond() / b.messagesPerSecond());
                cpuRatios.add(a.serverCpuMsPerMessage() / b.serverCpuMsPerMessage());
                System.out.printf("round %2d: on %6.0f msg/s %.3f ms CPU/msg | off %6.0f msg/s %.3f ms CPU/msg"
                                + " | ratio %.3f (load average %s)%n", i + 1, a.messagesPerSecond(),
                        a.serverCpuMsPerMessage(), b.messagesPerSecond(), b.serverCpuMsPerMessage(),
                        throughputRatios.getLast(), ProcStats.loadAverage());
            }
            System.out.printf("%d scrapes of the metrics server, %d bytes the last%n", scraper.scrapes,
                    scraper.lastBytes);
        } finally {
            scraper.stop();
            for (Side side : List.of(on, off)) {
                side.fleet().stop();
                side.process().destroy();
                side.process().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Side start(EmbeddedPostgresServer pg, Path dir, String name, int metricsPort, int users,
                              int rooms) throws Exception {
        Path own = Files.createDirectories(dir.resolve(name));
        int port = ClientLoad.freePort();
        Process process = ClientLoad.startServer(pg, own, port, "myelin_" + name, metricsPort);
        MatrixHttp http = new MatrixHttp("http://127.0.0.1:" + port);
        ClientLoad.waitUntilUp(http);
        List<ClientLoad.User> all = ClientLoad.setUp(http, users, rooms);
        ClientLoad.SyncFleet fleet = new ClientLoad.SyncFleet(http, all);
        fleet.start();
        return new Side(name, process, http, all, fleet);
    }

    /**
     * Every user of {@code side} sends as fast as its acknowledgements come back for the ramp and
     * {@code seconds} more; the figures are of the {@code seconds}. The scraper, if any, runs
     * while the burst does.
     */
    private static Burst burst(Side side, int seconds, long rampMillis, Scraper scraper) throws Exception {
        AtomicLong sent = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ClientLoad.User u : side.users()) {
                pool.submit(() -> {
                    long n = ThreadLocalRandom.current().nextLong(1L << 40);
                    while (!stop.get()) {
                        ClientLoad.send(side.http(), u, "m" + (n++), System.nanoTime());
                        sent.incrementAndGet();
                    }
                    return null;
                });
            }
            if (scraper != null) {
                scraper.resume();
            }
            Thread.sleep(rampMillis);
            long fromMessages = sent.get();
            long fromTicks = ProcStats.processTicks(side.process().pid(), false);
            long fromNanos = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            long messages = sent.get() - fromMessages;
            long ticks = ProcStats.processTicks(side.process().pid(), false) - fromTicks;
            double elapsed = (System.nanoTime() - fromNanos) / 1e9;
            stop.set(true);
            if (scraper != null) {
                scraper.pause();
            }
            return new Burst(messages / elapsed, 1000.0 * ticks / ProcStats.TICKS_PER_SECOND / messages);
        }
    }

    /** Median and a bootstrap 95 % interval of the median. */
    static String summary(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        List<Double> medians = new ArrayList<>();
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < 10_000; i++) {
            List<Double> sample = new ArrayList<>(values.size());
            for (int j = 0; j < values.size(); j++) {
                sample.add(values.get(random.nextInt(values.size())));
            }
            medians.add(median(sample));
        }
        Collections.sort(medians);
        return String.format("median %.4f (95 %% interval %.4f–%.4f; min %.4f, max %.4f, n %d)", median(sorted),
                medians.get(250), medians.get(9_749), sorted.getFirst(), sorted.getLast(), values.size());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * Scrapes {@code /metrics} every {@code intervalSeconds} of the time it is resumed: the
     * metrics server's load time, so that its scrapes neither fall on the other server's bursts
     * nor thin out because half the wall time is the other's.
     */
    static final class Scraper {
        private final HttpClient client = HttpClient.newHttpClient();
        private final HttpRequest request;
        private final long intervalNanos;
        private final Object lock = new Object();
        private boolean running;
        private long loadedNanos;
        private long resumedAt;
        private long nextAt;
        volatile int scrapes;
        volatile int lastBytes;

        private final Thread thread;

        Scraper(int port, double intervalSeconds) {
            this.request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
            this.intervalNanos = (long) (intervalSeconds * 1e9);
            this.nextAt = intervalNanos;
            this.thread = Thread.ofPlatform().daemon(true).name("metrics-scraper").start(this::loop);
        }

        void stop() {
            thread.interrupt();
        }

        void resume() {
            synchronized (lock) {
                running = true;
                resumedAt = System.nanoTime();
                lock.notifyAll();
            }
        }

        void pause() {
            synchronized (lock) {
                loadedNanos += System.nanoTime() - resumedAt;
                running = false;
            }
        }

        private long loaded() {
            return loadedNanos + (running ? System.nanoTime() - resumedAt : 0);
        }

        private void loop() {
            try {
                while (true) {
                    synchronized (lock) {
                        while (!running || loaded() < nextAt) {
                            lock.wait(running ? Math.max(1, (nextAt - loaded()) / 1_000_000) : 0);
                        }
                        nextAt += intervalNanos;
                    }
                    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("/metrics answered " + r.statusCode());
                    }
                    lastBytes = r.body().length();
                    scrapes++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                System.out.println("metrics scrape failed: " + e);
            }
        }
    }
}
