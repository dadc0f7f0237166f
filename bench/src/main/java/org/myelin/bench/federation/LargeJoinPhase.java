package org.myelin.bench.federation;

import jdk.jfr.Recording;
import org.myelin.storage.testing.TestDatabases;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Phase 3, joining a 10,000-member room: a Myelin B, started as a separate process, whose user
 * joins phase 2's room on A by alias. The time until {@code /join} returns, and until B's
 * {@code joined_members} lists every member; B's peak heap (GC log) and peak resident set
 * (VmHWM, reset just before the join). If a target is missed (or {@code jfr=always}), a second B
 * joins with JFR on, and with every statement of B's and A's PostgreSQL logged, and the run shows
 * B's hot methods, A's hot methods (A runs in this JVM) and both servers' statement counts.
 */
final class LargeJoinPhase {

    private static final double JOIN_TARGET_S = 5;
    private static final double HEAP_TARGET_MB = 512;

    private final Options options;
    private final Report report;
    private final Path home;

    LargeJoinPhase(Options options, Report report, Path home) {
        this.options = options;
        this.report = report;
        this.home = home;
    }

    void run(InboundPhase.Populated room) throws Exception {
        boolean always = "always".equals(options.jfr());
        boolean missed = join(room, "phase3", always);
        if (missed && "auto".equals(options.jfr())) {
            report.info("phase 3 missed a target: a second, profiled join (JFR on B and on A, statements logged)");
            join(room, "phase3_profiled", true);
        }
    }

    /** One join by a fresh B; whether a target was missed. */
    private boolean join(InboundPhase.Populated room, String name, boolean profile) throws Exception {
        int expected = room.alice().joinedMemberCount(room.roomId()) + 1;
        try (MyelinProcess b = MyelinProcess.start(home, options.heap(), profile)) {
            b.awaitUp(Duration.ofSeconds(120));
            try (ClientApi joiner = ClientApi.register(b.clientBase(), "joiner")) {
                Watch watch = new Watch(b);
                int testPgPort = TestDatabases.server().port();
                int bPgPort = ProcStats.postgresPort(b.postgresDir());
                long aLog = Diagnostics.size(TestDatabases.server().directory().getParent().resolve("postgres.log"));
                long bLog = Diagnostics.size(b.postgresLog());
                Recording recording = null;
                if (profile) {
                    Diagnostics.logStatements(testPgPort, true);
                    Diagnostics.logStatements(bPgPort, true);
                    recording = Diagnostics.startRecording();
                }
                room.logA().drain();
                long bCpuBefore = ProcStats.processTicks(b.pid(), true);
                long bPgBefore = ProcStats.postgresTicks(b.postgresDir());
                CpuWindow aCpu = CpuWindow.start(TestDatabases.server().directory());
                long t0 = System.nanoTime();
                String roomId = null;
                String failure = null;
                try {
                    roomId = joiner.join(room.alias(), Duration.ofSeconds(options.joinTimeout()));
                } catch (RuntimeException e) {
                    failure = e.getMessage();
                }
                double joinS = (System.nanoTime() - t0) / 1e9;
                int members = -1;
                double stateS = Double.NaN;
                if (roomId != null) {
                    long deadline = t0 + TimeUnit.SECONDS.toNanos(options.joinTimeout());
                    while ((members = joiner.joinedMemberCount(roomId)) < expected && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                    }
                    stateS = members >= expected ? (System.nanoTime() - t0) / 1e9 : Double.NaN;
                }
                CpuWindow.Usage aUsage = aCpu.stop();
                double bCpu = (ProcStats.processTicks(b.pid(), true) - bCpuBefore) / ProcStats.TICKS_PER_SECOND;
                double bPg = (ProcStats.postgresTicks(b.postgresDir()) - bPgBefore) / ProcStats.TICKS_PER_SECOND;
                watch.stop();
                int stateSize = roomId == null ? -1 : joiner.stateSize(roomId);
                String heapNow = b.heapInfo();
                MyelinProcess.Heap heap = b.heap();
                long hwm = ProcStats.statusKb(b.pid(), "VmHWM");
                if (profile) {
                    Diagnostics.logStatements(testPgPort, false);
                    Diagnostics.logStatements(bPgPort, false);
                }

                boolean joinMet = failure == null && joinS <= JOIN_TARGET_S && stateS <= JOIN_TARGET_S;
                boolean heapMet = heap.peakUsedBeforeGc() <= HEAP_TARGET_MB && heap.fullCollections() == 0
                        || heap.peakUsedAfterGc() <= HEAP_TARGET_MB * 0.8;
                report.result(name + ".join_returned", failure != null ? "FAILED after " + String.format("%.1f s: ", joinS)
                        + failure : String.format("%.2f s", joinS), "[target <= 5 s: " + (joinMet ? "met" : "MISSED") + "]");
                report.result(name + ".full_state_on_B", String.format("%.2f s (joined_members %d of %d expected; /state %d events)",
                        stateS, members, expected, stateSize), "");
                report.result(name + ".B_heap", heap.toString() + "; -Xmx" + options.heap(),
                        "[target <= 512 MB: " + (heap.peakUsedBeforeGc() <= HEAP_TARGET_MB ? "met" : "MISSED") + "]");
                report.result(name + ".B_heap_now", heapNow, "(jcmd GC.heap_info after the join)");
                report.result(name + ".B_rss", String.format("peak %d MB (VmHWM, reset before the join; sampled peak %d MB; "
                        + "%d MB before the join)", hwm / 1024, watch.peakRssKb.get() / 1024, watch.rssBeforeKb / 1024),
                        "(the JVM only; its PostgreSQL is separate)");
                report.result(name + ".cpu", String.format("B %.1f CPU-s, B's PostgreSQL %.1f CPU-s; A side: %s", bCpu, bPg,
                        aUsage), "");
                report.info("%s: A's federation listener served: %s", name, room.logA().drain());
                report.info("%s: B's directory %s (server.log, gc.log%s)", name, b.dir, profile ? ", b.jfr" : "");
                if (profile) {
                    Path aJfr = Diagnostics.stop(recording, "myelin-bench-a");
                    printStatements("B's PostgreSQL", b.postgresLog(), bLog);
                    printStatements("A's PostgreSQL", TestDatabases.server().directory().getParent()
                            .resolve("postgres.log"), aLog);
                    b.close(); // writes B's recording
                    print("B: where the CPU went (" + b.jfrFile + ")", Diagnostics.myelinProfile(b.jfrFile, 30));
                    print("B hot methods", Diagnostics.jfrView(b.jfrFile, "hot-methods", 25));
                    print("B allocation by class", Diagnostics.jfrView(b.jfrFile, "allocation-by-class", 15));
                    print("A (this JVM): where the CPU went (" + aJfr + ")", Diagnostics.myelinProfile(aJfr, 20));
                }
                return !joinMet || !heapMet;
            }
        }
    }

    private void printStatements(String what, Path log, long from) throws java.io.IOException {
        print(what + ": statements during the join, by count", Diagnostics.top(Diagnostics.statements(log, from), 25));
    }

    private void print(String title, java.util.List<String> lines) {
        report.info("---- %s ----", title);
        lines.forEach(l -> report.info("%s", l));
    }

    /** Samples B's resident set every 50 ms. */
    private static final class Watch {
        final AtomicLong peakRssKb = new AtomicLong();
        final long rssBeforeKb;
        private volatile boolean running = true;
        private final Thread thread;

        Watch(MyelinProcess b) {
            rssBeforeKb = ProcStats.statusKb(b.pid(), "VmRSS");
            ProcStats.resetPeakRss(b.pid());
            thread = Thread.ofPlatform().daemon().name("watch-b").start(() -> {
                while (running) {
                    peakRssKb.accumulateAndGet(ProcStats.statusKb(b.pid(), "VmRSS"), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(1000);
        }
    }
}
