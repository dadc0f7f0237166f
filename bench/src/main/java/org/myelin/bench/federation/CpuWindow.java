package org.myelin.bench.federation;

import org.myelin.bench.ProcStats;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Who used the CPU during a measurement window, in cores (CPU seconds per second): the whole
 * machine, this JVM, the part of this JVM that is the load generator (the JDK HTTP client's
 * threads, which do the load generator's TLS and I/O), and the in-process servers' PostgreSQL.
 * This JVM minus the load generator plus PostgreSQL is the server under test, within a few
 * percent (the load generator's own virtual threads share the carrier threads with the server's).
 */
final class CpuWindow {

    /** The figures of one window. */
    record Usage(double seconds, double machine, double jvm, double loadGenerator, double postgres, int cores) {
        double server() {
            return jvm - loadGenerator + postgres;
        }

        /** What processes outside this benchmark used: other engineers' builds on a shared machine. */
        double others() {
            return Math.max(0, machine - jvm - postgres);
        }

        @Override
        public String toString() {
            return String.format("machine %.2f of %d cores busy; server under test %.2f cores (JVM %.2f - load generator "
                    + "%.2f + its PostgreSQL %.2f) = %.0f%% of the busy CPU; other processes %.2f cores", machine, cores,
                    server(), jvm, loadGenerator, postgres, 100 * server() / machine, others());
        }

        /** For a window where this JVM holds several servers: the machine, this JVM with its PostgreSQL, the rest. */
        String machineShares() {
            return String.format("machine %.2f of %d cores busy: this benchmark's JVM %.2f + its PostgreSQL %.2f; "
                    + "other processes %.2f cores", machine, cores, jvm, postgres, others());
        }
    }

    private final Path postgresDir;
    private final long wallStart;
    private final long[] machineStart;
    private final long jvmStart;
    private final Map<Long, Long> loadGenStart;
    private final long postgresStart;

    private CpuWindow(Path postgresDir) {
        this.postgresDir = postgresDir;
        this.wallStart = System.nanoTime();
        this.machineStart = ProcStats.machineTicks();
        this.jvmStart = jvmCpuNanos();
        this.loadGenStart = loadGeneratorThreads();
        this.postgresStart = ProcStats.postgresTicks(postgresDir);
    }

    /** Starts a window; {@code postgresDir} is the data directory of the servers' PostgreSQL. */
    static CpuWindow start(Path postgresDir) {
        return new CpuWindow(postgresDir);
    }

    Usage stop() {
        double seconds = (System.nanoTime() - wallStart) / 1e9;
        long[] machine = ProcStats.machineTicks();
        double machineBusy = (machine[0] - machineStart[0]) / ProcStats.TICKS_PER_SECOND / seconds;
        double jvm = (jvmCpuNanos() - jvmStart) / 1e9 / seconds;
        long loadGen = 0;
        for (Map.Entry<Long, Long> t : loadGeneratorThreads().entrySet()) {
            loadGen += t.getValue() - loadGenStart.getOrDefault(t.getKey(), 0L);
        }
        double postgres = (ProcStats.postgresTicks(postgresDir) - postgresStart) / ProcStats.TICKS_PER_SECOND / seconds;
        return new Usage(seconds, machineBusy, jvm, loadGen / 1e9 / seconds, postgres,
                Runtime.getRuntime().availableProcessors());
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU nanoseconds so far of each live thread of the JDK HTTP client. */
    private static Map<Long, Long> loadGeneratorThreads() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("HttpClient-")) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                if (t >= 0) {
                    cpu.put(info.getThreadId(), t);
                }
            }
        }
        return cpu;
    }
}
