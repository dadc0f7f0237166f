package org.myelin.bench.load;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.myelin.bench.ProcStats;
import org.myelin.bench.federation.Report;
import org.myelin.bench.media.HeapWatch;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * The server's heap while {@code logins} clients log in at once ({@code POST /login},
 * {@code m.login.password}) with the default Argon2id cost (32 MiB, 2 passes, 1 lane) and
 * {@code auth.password_hashing.concurrency} set to {@code concurrency}: each hash in progress
 * needs 32 MiB of Argon2 blocks, so the heap should grow by about {@code concurrency × 32 MiB}
 * (the reusable block pool), not by {@code logins × 32 MiB}.
 *
 * <p>Myelin runs in this JVM ({@link TestHomeserver}; PostgreSQL is its own processes). The
 * accounts are registered first (their hashes made at the same cost, same bound); then the used
 * heap before (after full collections), the peak during the logins (sampled every
 * {@code sampleMs}, and the largest heap any collection started from), the largest heap left
 * after any collection, the used heap after (after full collections), the wall time, and how
 * many logins did not answer 200; the others must each have their own access token.
 *
 * <p>Run from the repository root, bounded (1 is the default on 2 cores) and unbounded:
 * <pre>{@code
 * ./myelin build && mvn -B -q -o -DskipTests package -pl bench -am
 * java @config/jvm.options -XX:+UseCompactObjectHeaders -Dconcurrency=1 -cp bench/target/benchmarks.jar org.myelin.bench.load.LoginHeap
 * java @config/jvm.options -XX:+UseCompactObjectHeaders -Dconcurrency=100 -cp bench/target/benchmarks.jar org.myelin.bench.load.LoginHeap
 * }</pre>
 * Options (system properties): {@code logins=100 concurrency=1 memoryKib=32768 sampleMs=5}.
 */
public final class LoginHeap {

    private LoginHeap() {
    }

    public static void main(String[] args) throws Exception {
        int logins = Integer.getInteger("logins", 100);
        int concurrency = Integer.getInteger("concurrency", 1);
        int memoryKib = Integer.getInteger("memoryKib", HomeserverConfig.PasswordHashing.DEFAULT.memoryKib());
        long sampleMs = Long.getLong("sampleMs", 5);
        HomeserverConfig.PasswordHashing hashing = new HomeserverConfig.PasswordHashing(memoryKib,
                HomeserverConfig.PasswordHashing.DEFAULT.iterations(),
                HomeserverConfig.PasswordHashing.DEFAULT.parallelism(), concurrency);
        Report report = new Report();
        report.info("LoginHeap logins=%d concurrency=%d hashing=%s at %s; %d cores; load average %s; %s; max heap %s; GC %s",
                logins, concurrency, hashing, Instant.now(), Runtime.getRuntime().availableProcessors(),
                ProcStats.loadAverage(), Runtime.version(), mib(Runtime.getRuntime().maxMemory()),
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList());

        try (TestHomeserver hs = TestHomeserver.builder()
                .configure(c -> c.withAuth(new HomeserverConfig.Auth(
                        TestHomeserver.TEST_AUTH.refreshableAccessTokenLifetimeMs(), null, hashing)))
                .start()) {
            List<TestUser> users = new ArrayList<>();
            // Registered a few at a time: the figures are the logins'.
            try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
                List<Future<TestUser>> registered = new ArrayList<>();
                for (int i = 0; i < logins; i++) {
                    String localpart = "login-bench-" + i;
                    registered.add(pool.submit(() -> hs.registerUser(localpart)));
                }
                for (Future<TestUser> f : registered) {
                    users.add(f.get());
                }
            }
            // One login untimed: the login path's classes are loaded before "before".
            hs.login(users.getFirst());

            long before = HeapWatch.usedHeapAfterGc();
            List<TestUser> sessions = new ArrayList<>();
            double wall;
            HeapWatch watch = HeapWatch.start(sampleMs);
            try {
                CyclicBarrier start = new CyclicBarrier(logins + 1);
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<TestUser>> futures = new ArrayList<>();
                    for (TestUser user : users) {
                        futures.add(pool.submit(() -> {
                            start.await();
                            try {
                                return hs.login(user);
                            } catch (AssertionError refused) {
                                // Counted, not fatal: without a bound, hashing takes every carrier
                                // thread and the logins' database work times out (500).
                                return null;
                            }
                        }));
                    }
                    start.await();
                    long began = System.nanoTime();
                    for (Future<TestUser> f : futures) {
                        sessions.add(f.get());
                    }
                    wall = (System.nanoTime() - began) / 1e9;
                }
            } finally {
                watch.close();
            }
            long after = HeapWatch.usedHeapAfterGc();

            Set<String> tokens = new HashSet<>();
            int failed = 0;
            for (TestUser s : sessions) {
                if (s == null) {
                    failed++;
                } else {
                    tokens.add(s.accessToken());
                }
            }
            if (tokens.size() != logins - failed) {
                throw new AssertionError(tokens.size() + " distinct access tokens for " + (logins - failed) + " logins");
            }
            long peak = Math.max(watch.peakSampled(), watch.peakBeforeGc());
            report.info("%d logins answered 200 with distinct access tokens; %d collections during the logins",
                    logins - failed, watch.collections());
            report.result("login.failed", Integer.toString(failed), "logins that did not answer 200");
            report.result("login.heap.before", mib(before), "used heap after full GC, before the logins");
            report.result("login.heap.peak", mib(peak), String.format(
                    "largest used heap during the logins, garbage included (sampled %s, before a GC %s); growth %s"
                            + " over before", mib(watch.peakSampled()), mib(watch.peakBeforeGc()), mib(peak - before)));
            report.result("login.heap.afterGcMax", mib(watch.peakAfterGc()),
                    "largest heap left after any GC during the logins");
            report.result("login.heap.after", mib(after), "used heap after full GC, after the logins (the block pool included)");
            report.result("login.rate", String.format("%.1f/s", logins / wall),
                    String.format("%d logins in %.1f s", logins, wall));
        }
        report.info("load average after: %s", ProcStats.loadAverage());
        report.summary();
        System.exit(0); // the embedded PostgreSQL's shutdown hook stops it
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
