package org.myelin.bench.media;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.myelin.bench.ProcStats;
import org.myelin.bench.federation.Report;
import org.myelin.server.testing.TestHomeserver;

import static org.myelin.bench.media.MediaBenchServer.check;
import static org.myelin.bench.media.MediaBenchServer.median;

/**
 * Download throughput of Myelin's authenticated media download
 * ({@code GET /_matrix/client/v1/media/download/{server}/{mediaId}}) against a static file server
 * serving the very same file, over loopback, in one run.
 *
 * <p>The reference is the JDK's {@link SimpleFileServer} (the {@code jwebserver} API) in this
 * JVM, serving the media store's directory with a virtual thread per exchange (its default runs
 * every exchange on one thread, which would serialise the concurrent downloads): no
 * authentication, no database, no headers to compute, the file copied to the socket by
 * {@code InputStream.transferTo}. Myelin authenticates the access token, looks the media up in
 * PostgreSQL and sends the file with {@code sendfile}. Both run in the same JVM, on the same
 * cores, and are read by the same client ({@link MediaConnection}: a blocking socket, one 64 KiB
 * buffer, bytes dropped), so the difference is the servers'. Downloads alternate between the two,
 * so that load from other processes on a shared machine falls on both alike.
 *
 * <ol>
 *   <li>Sequential: {@code sequential} downloads of each, one at a time on one keep-alive
 *       connection each (after {@code warmup} untimed); MiB/s of each, from request to last byte;
 *       median, min and max, and the ratio of the medians. Also the CPU time this process spent
 *       on each download (client and server, the kernel's copies included; not PostgreSQL's):
 *       on a shared machine, where the rate depends on what else runs, the CPU a download costs
 *       depends far less on it.</li>
 *   <li>Concurrent: {@code rounds} rounds; in each, {@code concurrency} connections download
 *       {@code perConnection} times each at once, from one server then the other; aggregate MiB/s
 *       (all bytes over the wall time) and CPU per download; the median round of each, and the
 *       ratio.</li>
 * </ol>
 *
 * <p>Run from the repository root:
 * <pre>{@code
 * ./myelin build && mvn -B -q -o -DskipTests package -pl bench -am
 * java @config/jvm.options -XX:+UseCompactObjectHeaders -cp bench/target/benchmarks.jar org.myelin.bench.media.MediaLoad
 * }</pre>
 * ({@code config/jvm.options}: the server's JVM options, as {@code ./myelin run} gives them on JDK 25.)
 * Options (system properties): {@code sizeMib=10 sequential=20 warmup=3 concurrency=4
 * perConnection=5 rounds=3 logLevel=WARN}. Context lines start with {@code #}, figures with
 * {@code RESULT}.
 */
public final class MediaLoad {

    private MediaLoad() {
    }

    /** One of the two servers: where it listens, what to GET, with what token. */
    private record Target(String name, int port, String path, String token) {}

    public static void main(String[] args) throws Exception {
        int sizeMib = Integer.getInteger("sizeMib", 10);
        int sequential = Integer.getInteger("sequential", 20);
        int warmup = Integer.getInteger("warmup", 3);
        int concurrency = Integer.getInteger("concurrency", 4);
        int perConnection = Integer.getInteger("perConnection", 5);
        int rounds = Integer.getInteger("rounds", 3);
        MediaBenchServer.logLevel(System.getProperty("logLevel", "WARN"));
        long size = sizeMib * 1024L * 1024L;
        Report report = new Report();
        report.info("MediaLoad size=%d MiB sequential=%d warmup=%d concurrency=%d perConnection=%d rounds=%d at %s;"
                        + " %d cores; load average %s; %s", sizeMib, sequential, warmup, concurrency, perConnection,
                rounds, Instant.now(), Runtime.getRuntime().availableProcessors(), ProcStats.loadAverage(),
                Runtime.version());

        try (TestHomeserver hs = MediaBenchServer.boot(Math.max(size, 50L * 1024 * 1024))) {
            String token = hs.registerUser("media-bench").accessToken();
            byte[] content = MediaBenchServer.pattern((int) size, 42);
            byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(content);
            String answer;
            try (MediaConnection c = new MediaConnection(hs.clientPort())) {
                MediaConnection.Answer up = c.upload("/_matrix/media/v3/upload?filename=bench.bin", token,
                        "application/octet-stream", size, content);
                check(up.status() == 200, "upload: HTTP " + up.status() + " " + up.body());
                answer = up.body();
            }
            Path stored = MediaBenchServer.storedFile(hs, sha256);
            check(Files.size(stored) == size, "the media store has no " + size + "-byte file at " + stored);
            Path root = MediaBenchServer.storeRoot(hs);

            HttpServer fileServer = SimpleFileServer.createFileServer(new InetSocketAddress("127.0.0.1", 0),
                    root.toAbsolutePath(), SimpleFileServer.OutputLevel.NONE);
            fileServer.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            fileServer.start();
            try {
                Target myelin = new Target("myelin", hs.clientPort(), MediaBenchServer.downloadPath(answer), token);
                Target plain = new Target("static", fileServer.getAddress().getPort(),
                        "/" + root.relativize(stored).toString().replace('\\', '/'), null);
                report.info("the file: %s, %s; Myelin: GET %s; static: SimpleFileServer GET %s",
                        MediaBenchServer.mib(size), stored, myelin.path(), plain.path());
                for (Target t : List.of(myelin, plain)) {
                    verify(t, size, sha256);
                }
                sequential(report, myelin, plain, size, warmup, sequential);
                concurrent(report, myelin, plain, size, concurrency, perConnection, rounds);
            } finally {
                fileServer.stop(0);
            }
        }
        report.info("load average after: %s", ProcStats.loadAverage());
        report.summary();
        System.exit(0); // the embedded PostgreSQL's shutdown hook stops it
    }

    /** One download of each, digested: both serve the bytes uploaded. */
    private static void verify(Target t, long size, byte[] sha256) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (MediaConnection c = new MediaConnection(t.port())) {
            MediaConnection.Download d = c.download(t.path(), t.token(), digest);
            check(d.status() == 200 && d.bytes() == size, t.name() + ": HTTP " + d.status() + ", " + d.bytes() + " bytes");
        }
        check(MessageDigest.isEqual(digest.digest(), sha256), t.name() + " served other bytes than uploaded");
    }

    private static void sequential(Report report, Target myelin, Target plain, long size, int warmup, int count)
            throws Exception {
        List<Double> mine = new ArrayList<>();
        List<Double> theirs = new ArrayList<>();
        List<Double> mineCpu = new ArrayList<>();
        List<Double> theirsCpu = new ArrayList<>();
        try (MediaConnection m = new MediaConnection(myelin.port()); MediaConnection s = new MediaConnection(plain.port())) {
            for (int i = 0; i < warmup + count; i++) {
                // Alternating which goes first: neither always follows the other's page-cache or CPU state.
                for (Target t : i % 2 == 0 ? List.of(myelin, plain) : List.of(plain, myelin)) {
                    long cpu = processCpuNanos();
                    double rate = timed(t == myelin ? m : s, t, size);
                    double cpuMs = (processCpuNanos() - cpu) / 1e6;
                    if (i >= warmup) {
                        (t == myelin ? mine : theirs).add(rate);
                        (t == myelin ? mineCpu : theirsCpu).add(cpuMs);
                    }
                }
            }
        }
        String what = "MiB/s per download, " + count + " downloads; CPU per download ";
        report.result("media.download.sequential.myelin", summary(mine), what + cpu(mineCpu));
        report.result("media.download.sequential.static", summary(theirs), what + cpu(theirsCpu));
        report.result("media.download.sequential.ratio", String.format("%.2f", median(mine) / median(theirs)),
                String.format("Myelin's median rate over the static server's; CPU per download %.2f times the static"
                        + " server's", mean(mineCpu) / mean(theirsCpu)));
    }

    /** CPU time of this process (all threads, user and system), in nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The mean: the process' CPU clock ticks in 10 ms steps, too coarse for one download's median. */
    private static String cpu(List<Double> ms) {
        return String.format("mean %.1f ms", mean(ms));
    }

    private static double mean(List<Double> samples) {
        return samples.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double timed(MediaConnection c, Target t, long size) throws Exception {
        MediaConnection.Download d = c.download(t.path(), t.token(), null);
        check(d.status() == 200 && d.bytes() == size, t.name() + ": HTTP " + d.status() + ", " + d.bytes() + " bytes");
        return d.mibPerSecond();
    }

    private static void concurrent(Report report, Target myelin, Target plain, long size, int connections,
                                   int perConnection, int rounds) throws Exception {
        List<Double> mine = new ArrayList<>();
        List<Double> theirs = new ArrayList<>();
        List<Double> minePer = Collections.synchronizedList(new ArrayList<>());
        List<Double> theirsPer = Collections.synchronizedList(new ArrayList<>());
        List<Double> mineCpu = new ArrayList<>();
        List<Double> theirsCpu = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            boolean myelinFirst = r % 2 == 0;
            for (Target t : myelinFirst ? List.of(myelin, plain) : List.of(plain, myelin)) {
                List<Double> per = t == myelin ? minePer : theirsPer;
                long cpu = processCpuNanos();
                double aggregate = round(t, size, connections, perConnection, per);
                double cpuMs = (processCpuNanos() - cpu) / 1e6 / (connections * perConnection);
                (t == myelin ? mine : theirs).add(aggregate);
                (t == myelin ? mineCpu : theirsCpu).add(cpuMs);
                report.info("round %d %s: %.0f MiB/s aggregate, %.1f ms CPU per download", r + 1, t.name(), aggregate,
                        cpuMs);
            }
        }
        String what = connections + " connections x " + perConnection + " downloads, " + rounds + " rounds";
        report.result("media.download.concurrent.myelin", String.format("%.0f MiB/s", median(mine)),
                "aggregate, median round; per download " + summary(minePer) + "; " + what);
        report.result("media.download.concurrent.static", String.format("%.0f MiB/s", median(theirs)),
                "aggregate, median round; per download " + summary(theirsPer) + "; " + what);
        report.result("media.download.concurrent.ratio", String.format("%.2f", median(mine) / median(theirs)),
                String.format("Myelin's median aggregate over the static server's; CPU per download (median round)"
                        + " %.1f ms against %.1f ms", median(mineCpu), median(theirsCpu)));
    }

    /** {@code connections} connections, {@code perConnection} downloads each, all at once: aggregate MiB/s. */
    private static double round(Target t, long size, int connections, int perConnection, List<Double> per)
            throws Exception {
        CyclicBarrier start = new CyclicBarrier(connections + 1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Void>> done = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                done.add(pool.submit(() -> {
                    try (MediaConnection c = new MediaConnection(t.port())) {
                        start.await();
                        for (int k = 0; k < perConnection; k++) {
                            per.add(timed(c, t, size));
                        }
                    }
                    return null;
                }));
            }
            start.await();
            long began = System.nanoTime();
            for (Future<Void> f : done) {
                f.get();
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            return (double) connections * perConnection * size / (1024.0 * 1024.0) / seconds;
        }
    }

    private static String summary(List<Double> mibPerSecond) {
        return String.format("median %.0f MiB/s (min %.0f, max %.0f)", median(mibPerSecond),
                MediaBenchServer.min(mibPerSecond), MediaBenchServer.max(mibPerSecond));
    }
}
