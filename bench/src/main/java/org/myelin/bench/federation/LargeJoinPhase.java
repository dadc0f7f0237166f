package org.myelin.bench.federation;

import org.myelin.bench.ProcStats;

import jdk.jfr.Recording;
import org.myelin.storage.testing.TestDatabases;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Phase 3, joining a 10,000-member room: a Myelin B, started as a separate process, whose user
 * joins phase 2's room on A by alias. B first joins a smaller room ({@code warmupMembers}, timed
 * and reported apart): on a JVM started seconds before, C2 compiling the code is 40 % of the
 * join's CPU, which a running server has long paid. The time until {@code /join} returns, and until B's
 * {@code joined_members} lists every member; B's peak heap (GC log) and peak resident set
 * (VmHWM, reset just before the join). If a target is missed (or {@code jfr=always}), a second B
 * joins with JFR on (dumped as soon as /join returns, so the profile is the join's), with every
 * statement of B's and A's PostgreSQL logged: B's and A's hot methods and statement counts.
 */
final class LargeJoinPhase {

    private static final double JOIN_TARGET_S = 5;
    private static final double HEAP_TARGET_MB = 512;

    /** What one join showed. */
    private record Joined(long t0, String roomId, String failure, double joinS, double stateS, int members,
                          int expected, double joinedMembersMs) {
    }

    private final Options options;
    private final Report report;
    private final Path home;
    /** Bs that joined and are stopped: their members' signatures cannot be checked any more (their keys are gone). */
    private int departed;

    LargeJoinPhase(Options options, Report report, Path home) {
        this.options = options;
        this.report = report;
        this.home = home;
    }

    void run(InboundPhase.Populated room) throws Exception {
        boolean missed = join(room, "phase3", "always".equals(options.jfr()));
        if (missed && "auto".equals(options.jfr())) {
            report.info("phase 3 missed a target: a second, profiled join (JFR on B and on A, statements logged)");
            join(room, "phase3_profiled", true);
        }
    }

    /** One join by a fresh B; whether a target was missed. */
    private boolean join(InboundPhase.Populated room, String name, boolean profile) throws Exception {
        // B will list A's members but those of Bs that are gone, plus its own user.
        int expected = room.alice().joinedMemberCount(room.roomId()) - departed + 1;
        try (MyelinProcess b = MyelinProcess.start(home, options.heap(), profile);
             Profile p = profile ? new Profile(b) : null) {
            b.awaitUp(Duration.ofSeconds(120));
            try (ClientApi joiner = ClientApi.register(b.clientBase(), "joiner")) {
                if (room.warmupAlias() != null) {
                    long w0 = System.nanoTime();
                    joiner.join(room.warmupAlias(), Duration.ofSeconds(options.joinTimeout()));
                    report.result(name + ".warmup_join", String.format("%.2f s", (System.nanoTime() - w0) / 1e9),
                            String.format("(B's first join after it started, a %d-member room: the JIT compiler's"
                                    + " first sight of the code; the timed join below is a running server's)",
                                    options.warmupMembers()));
                }
                RssWatch rss = new RssWatch(b);
                room.logA().drain();
                long bCpuBefore = ProcStats.processTicks(b.pid(), true);
                long bPgBefore = ProcStats.postgresTicks(b.postgresDir());
                CpuWindow aCpu = CpuWindow.start(TestDatabases.server().directory());
                Joined joined = measure(joiner, room.alias(), expected, p);
                CpuWindow.Usage aUsage = aCpu.stop();
                double bCpu = (ProcStats.processTicks(b.pid(), true) - bCpuBefore) / ProcStats.TICKS_PER_SECOND;
                double bPg = (ProcStats.postgresTicks(b.postgresDir()) - bPgBefore) / ProcStats.TICKS_PER_SECOND;
                rss.stop();
                int stateSize = joined.roomId() == null ? -1 : joiner.stateSize(joined.roomId());
                MyelinProcess.Heap heap = b.heap();
                boolean joinMet = joined.failure() == null && joined.joinS() <= JOIN_TARGET_S
                        && joined.stateS() <= JOIN_TARGET_S;
                boolean heapMet = joined.failure() == null && heap.peakUsedBeforeGc() <= HEAP_TARGET_MB;
                report.result(name + ".join_returned", joined.failure() != null ? String.format("FAILED after %.1f s: %s",
                        joined.joinS(), joined.failure()) : String.format("%.2f s", joined.joinS()),
                        "[target <= 5 s: " + (joinMet ? "met" : "MISSED") + "]");
                report.result(name + ".full_state_on_B", String.format("%.2f s (joined_members %d of %d expected; "
                        + "/state %d events; one joined_members call %.0f ms)", joined.stateS(), joined.members(),
                        joined.expected(), stateSize, joined.joinedMembersMs()), "");
                report.result(name + ".B_heap", heap + "; -Xmx" + options.heap(),
                        "[target <= 512 MB: " + (heapMet ? "met" : "MISSED") + "]");
                report.result(name + ".B_heap_after", b.heapInfo(), "(jcmd GC.heap_info once B holds the room)");
                report.result(name + ".B_rss", String.format("peak %d MB (VmHWM, reset before the join; sampled peak %d MB;"
                                + " %d MB before the join)", ProcStats.statusKb(b.pid(), "VmHWM") / 1024,
                        rss.peakKb.get() / 1024, rss.beforeKb / 1024), "(the JVM only; its PostgreSQL is separate)");
                report.result(name + ".cpu", String.format("B %.1f CPU-s, B's PostgreSQL %.1f CPU-s, A (with its "
                        + "PostgreSQL) %.1f CPU-s in %.1f s; other processes %.2f cores", bCpu, bPg,
                        aUsage.server() * aUsage.seconds(), aUsage.seconds(),
                        Math.max(0, aUsage.others() - (bCpu + bPg) / aUsage.seconds())), "");
                report.info("%s: what A's federation listener served, by time since B's /join was sent "
                        + "(/join returned at +%.2fs):", name, joined.joinS());
                room.logA().timeline(joined.t0()).forEach(l -> report.info("  %s", l));
                report.info("%s: A's federation listener served: %s", name, room.logA().drain());
                report.info("---- %s: what B's heap holds once it is in the room (jcmd GC.class_histogram) ----", name);
                b.classHistogram(15).forEach(l -> report.info("%s", l));
                report.info("%s: B's directory %s (server.log, gc.log%s)", name, b.dir, profile ? ", b.jfr" : "");
                if (p != null) {
                    p.print();
                }
                departed++;
                return !joinMet || !heapMet;
            }
        }
    }

    /** /join, then joined_members until it lists everyone (bounded by the join timeout). */
    private Joined measure(ClientApi joiner, String alias, int expected, Profile profile) throws Exception {
        if (profile != null) {
            profile.start();
        }
        long t0 = System.nanoTime();
        String roomId = null;
        String failure = null;
        try {
            roomId = joiner.join(alias, Duration.ofSeconds(options.joinTimeout()));
        } catch (RuntimeException e) {
            failure = e.getMessage();
        }
        double joinS = (System.nanoTime() - t0) / 1e9;
        if (profile != null) {
            profile.joinReturned();
        }
        if (roomId == null) {
            return new Joined(t0, null, failure, joinS, Double.NaN, -1, expected, Double.NaN);
        }
        long deadline = t0 + TimeUnit.SECONDS.toNanos(options.joinTimeout());
        int members;
        double callMs;
        while (true) {
            long c0 = System.nanoTime();
            members = joiner.joinedMemberCount(roomId);
            callMs = (System.nanoTime() - c0) / 1e6;
            if (members >= expected || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(500); // a 10,000-member joined_members is no free call: do not poll B to death
        }
        double stateS = members >= expected ? (System.nanoTime() - t0) / 1e9 : Double.NaN;
        return new Joined(t0, roomId, failure, joinS, stateS, members, expected, callMs);
    }

    /** B's JFR recording cut when /join returns, A's in-process recording, and both servers' statements. */
    private final class Profile implements AutoCloseable {
        private final MyelinProcess b;
        private final int aPort = TestDatabases.server().port();
        private final Path aLog = TestDatabases.server().directory().getParent().resolve("postgres.log");
        private int bPort;
        private long aFrom;
        private long bFrom;
        private Recording aRecording;
        private Path bJoinJfr;
        private Path aJfr;

        Profile(MyelinProcess b) {
            this.b = b;
        }

        void start() throws IOException {
            bPort = ProcStats.postgresPort(b.postgresDir());
            aFrom = Diagnostics.size(aLog);
            bFrom = Diagnostics.size(b.postgresLog());
            Diagnostics.logStatements(aPort, true);
            Diagnostics.logStatements(bPort, true);
            aRecording = Diagnostics.startRecording();
        }

        void joinReturned() throws IOException {
            Diagnostics.logStatements(aPort, false);
            Diagnostics.logStatements(bPort, false);
            aJfr = Diagnostics.stop(aRecording, "myelin-bench-a-join");
            bJoinJfr = b.dumpRecording("b-join.jfr");
        }

        void print() throws IOException {
            section("B's PostgreSQL: statements until /join returned, by count",
                    Diagnostics.top(Diagnostics.statements(b.postgresLog(), bFrom), 25));
            section("A's PostgreSQL: statements until /join returned, by count",
                    Diagnostics.top(Diagnostics.statements(aLog, aFrom), 12));
            section("B: where the CPU went from its start until /join returned (" + bJoinJfr + ")",
                    Diagnostics.myelinProfile(bJoinJfr, 40));
            section("B hot methods", Diagnostics.jfrView(bJoinJfr, "hot-methods", 25));
            section("B allocation by class", Diagnostics.jfrView(bJoinJfr, "allocation-by-class", 15));
            section("A (this JVM): where the CPU went during the join (" + aJfr + ")", Diagnostics.myelinProfile(aJfr, 20));
        }

        private void section(String title, List<String> lines) {
            report.info("---- %s ----", title);
            lines.forEach(l -> report.info("%s", l));
        }

        @Override
        public void close() {
            if (aRecording != null) {
                aRecording.close();
            }
        }
    }

    /** Samples B's resident set every 50 ms. */
    private static final class RssWatch {
        final AtomicLong peakKb = new AtomicLong();
        final long beforeKb;
        private volatile boolean running = true;
        private final Thread thread;

        RssWatch(MyelinProcess b) {
            beforeKb = ProcStats.statusKb(b.pid(), "VmRSS");
            ProcStats.resetPeakRss(b.pid());
            thread = Thread.ofPlatform().daemon().name("watch-b").start(() -> {
                while (running) {
                    peakKb.accumulateAndGet(ProcStats.statusKb(b.pid(), "VmRSS"), Math::max);
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
