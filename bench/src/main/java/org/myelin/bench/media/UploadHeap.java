package org.myelin.bench.media;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.myelin.bench.ProcStats;
import org.myelin.bench.federation.Report;
import org.myelin.server.testing.TestHomeserver;

import static org.myelin.bench.media.MediaBenchServer.check;
import static org.myelin.bench.media.MediaBenchServer.mib;

/**
 * The server's heap while {@code uploads} clients upload {@code sizeMib} MiB each at once
 * ({@code POST /_matrix/media/v3/upload}, each with its {@code Content-Length}): uploads stream
 * to the media store, so the heap grows by buffers, not by bodies (20 bodies of 50 MiB would be
 * 1,000 MiB).
 *
 * <p>Myelin runs in this JVM ({@link org.myelin.server.testing.TestHomeserver}; PostgreSQL is its
 * own processes), so the heap measured is the server's, plus the clients', which hold one 64 KiB
 * pattern each and write it again and again ({@link MediaConnection}). Figures: the used heap
 * before (after full collections, once a first small upload has loaded the upload path), the
 * peak during the uploads (sampled every {@code sampleMs}, and the largest heap any collection
 * started from), the heap reachable halfway (a full collection once the clients have written half
 * of all the bytes, every upload still under way: what the uploads in flight hold), the largest
 * heap left after any collection during the uploads (an upper bound of the same: a young
 * collection leaves the old generation's garbage), and the used heap after (after full collections); direct memory (Netty's) at its
 * largest, the process' peak resident set, and the aggregate upload rate. Then every upload must
 * have answered 200 with its own content URI, and the media store must hold {@code uploads}
 * distinct files of {@code sizeMib} MiB. Run with the server's JVM options ({@code config/jvm.options}:
 * G1, at most 1 GiB of heap), and with a heap far smaller than the bodies ({@code -Xmx128m}
 * after them) to see that they never need to fit.
 *
 * <p>Run from the repository root:
 * <pre>{@code
 * ./myelin build && mvn -B -q -o -DskipTests package -pl bench -am
 * java @config/jvm.options -XX:+UseCompactObjectHeaders -cp bench/target/benchmarks.jar org.myelin.bench.media.UploadHeap
 * java @config/jvm.options -XX:+UseCompactObjectHeaders -Xmx128m -cp bench/target/benchmarks.jar org.myelin.bench.media.UploadHeap
 * }</pre>
 * Options (system properties): {@code uploads=20 sizeMib=50 sampleMs=5 logLevel=WARN}.
 */
public final class UploadHeap {

    private static final int PATTERN = 64 * 1024;

    private UploadHeap() {
    }

    private record Uploaded(String answer, double seconds) {}

    /** The heap after a full collection halfway, and how many uploads were still under way then. */
    private record Halfway(long reachable, int inFlight) {}

    public static void main(String[] args) throws Exception {
        int uploads = Integer.getInteger("uploads", 20);
        int sizeMib = Integer.getInteger("sizeMib", 50);
        long sampleMs = Long.getLong("sampleMs", 5);
        MediaBenchServer.logLevel(System.getProperty("logLevel", "WARN"));
        long size = sizeMib * 1024L * 1024L;
        long pid = ProcessHandle.current().pid();
        Report report = new Report();
        report.info("UploadHeap uploads=%d size=%d MiB at %s; %d cores; load average %s; %s; max heap %s; GC %s",
                uploads, sizeMib, Instant.now(), Runtime.getRuntime().availableProcessors(), ProcStats.loadAverage(),
                Runtime.version(), mib(Runtime.getRuntime().maxMemory()),
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());

        try (TestHomeserver hs = MediaBenchServer.boot(size)) {
            String token = hs.registerUser("upload-bench").accessToken();
            // A first upload, untimed: the classes and buffers of the upload path are there before "before".
            Uploaded first = upload(hs, token, 1024 * 1024, -1, null);
            check(first.answer().contains("mxc://"), "first upload: " + first.answer());

            long before = HeapWatch.usedHeapAfterGc();
            long directBefore = HeapWatch.directBytes();
            long rssBefore = ProcStats.statusKb(pid, "VmRSS") * 1024;
            boolean peakRssReset = ProcStats.resetPeakRss(pid);
            List<Uploaded> done = new ArrayList<>();
            double wall;
            Halfway halfway;
            AtomicLong written = new AtomicLong();
            AtomicInteger finished = new AtomicInteger();
            HeapWatch watch = HeapWatch.start(sampleMs);
            try {
                CyclicBarrier start = new CyclicBarrier(uploads + 1);
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<Uploaded>> futures = new ArrayList<>();
                    for (int i = 0; i < uploads; i++) {
                        int seed = i;
                        futures.add(pool.submit(() -> {
                            try {
                                return upload(hs, token, size, seed, start, written);
                            } finally {
                                finished.incrementAndGet();
                            }
                        }));
                    }
                    start.await();
                    long began = System.nanoTime();
                    while (written.get() < uploads * size / 2) {
                        Thread.sleep(1);
                    }
                    int inFlight = uploads - finished.get();
                    System.gc();
                    halfway = new Halfway(HeapWatch.usedHeap(), inFlight);
                    for (Future<Uploaded> f : futures) {
                        done.add(f.get());
                    }
                    wall = (System.nanoTime() - began) / 1e9;
                }
            } finally {
                watch.close();
            }
            long rssPeak = ProcStats.statusKb(pid, "VmHWM") * 1024;
            long after = HeapWatch.usedHeapAfterGc();

            Set<String> uris = new HashSet<>();
            for (Uploaded u : done) {
                check(u.answer().contains("mxc://"), "an upload answered " + u.answer());
                uris.add(MediaBenchServer.downloadPath(u.answer()));
            }
            check(uris.size() == uploads, uris.size() + " distinct content URIs for " + uploads + " uploads");
            long stored;
            try (Stream<Path> files = Files.walk(MediaBenchServer.storeRoot(hs))) {
                stored = files.filter(Files::isRegularFile).filter(f -> sizeOf(f) == size).count();
            }
            check(stored == uploads, "the media store holds " + stored + " files of " + mib(size) + ", not " + uploads);

            long total = uploads * size;
            report.info("%d uploads of %s (%s in all) answered 200 with distinct content URIs; the media store holds"
                    + " %d files of %s; %d collections during the uploads", uploads, mib(size), mib(total), stored,
                    mib(size), watch.collections());
            report.result("media.upload.heap.before", mib(before), "used heap after full GC, before the uploads");
            report.result("media.upload.heap.peak", mib(Math.max(watch.peakSampled(), watch.peakBeforeGc())),
                    String.format("largest used heap during the uploads, garbage included (sampled %s, before a GC %s);"
                            + " growth %s over before", mib(watch.peakSampled()), mib(watch.peakBeforeGc()),
                            mib(Math.max(watch.peakSampled(), watch.peakBeforeGc()) - before)));
            report.result("media.upload.heap.halfway", mib(halfway.reachable()), String.format(
                    "used heap after a full GC once half the bytes were written, %d of %d uploads under way: what"
                            + " they hold reachable", halfway.inFlight(), uploads));
            report.result("media.upload.heap.afterGcMax", mib(watch.peakAfterGc()),
                    "largest heap left after any GC during the uploads (young ones leave old garbage)");
            report.result("media.upload.heap.after", mib(after), "used heap after full GC, after the uploads");
            report.result("media.upload.direct.peak", mib(watch.peakDirect()),
                    "direct memory (JDK buffers and Netty's own) at its largest (before: " + mib(directBefore) + ")");
            report.result("media.upload.rss.peak", rssPeak > 0 && peakRssReset ? mib(rssPeak) : "n/a",
                    "process peak resident set during the uploads (before: " + mib(rssBefore) + "; heap committed included)");
            report.result("media.upload.rate", String.format("%.0f MiB/s", total / (1024.0 * 1024.0) / wall),
                    String.format("aggregate, %s in %.1f s; slowest upload %.1f s", mib(total), wall,
                            done.stream().mapToDouble(Uploaded::seconds).max().orElse(0)));
        }
        report.info("load average after: %s", ProcStats.loadAverage());
        report.summary();
        System.exit(0); // the embedded PostgreSQL's shutdown hook stops it
    }

    /** One upload of {@code length} bytes of a pattern seeded by {@code seed}; waits at {@code start} first if given. */
    private static Uploaded upload(TestHomeserver hs, String token, long length, int seed, CyclicBarrier start)
            throws Exception {
        return upload(hs, token, length, seed, start, new AtomicLong());
    }

    private static Uploaded upload(TestHomeserver hs, String token, long length, int seed, CyclicBarrier start,
                                   AtomicLong written) throws Exception {
        byte[] pattern = MediaBenchServer.pattern(PATTERN, 1_000 + seed);
        try (MediaConnection c = new MediaConnection(hs.clientPort())) {
            if (start != null) {
                start.await();
            }
            long began = System.nanoTime();
            MediaConnection.Answer a = c.upload("/_matrix/media/v3/upload?filename=upload-" + seed + ".bin", token,
                    "application/octet-stream", length, pattern, written);
            check(a.status() == 200, "upload " + seed + ": HTTP " + a.status() + " " + a.body());
            return new Uploaded(a.body(), (System.nanoTime() - began) / 1e9);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
