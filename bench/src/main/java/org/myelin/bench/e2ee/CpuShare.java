package org.myelin.bench.e2ee;

import org.myelin.bench.ProcStats;
import org.myelin.storage.testing.TestDatabases;

import java.lang.management.ManagementFactory;

/**
 * Who used the CPU during a measured window, in cores: the machine, this JVM (the in-process
 * servers and the load generator together) and the servers' PostgreSQL; the rest is other
 * processes, which on a shared machine is the noise to read each figure against.
 */
final class CpuShare {

    private final long wallStart = System.nanoTime();
    private final long[] machineStart = ProcStats.machineTicks();
    private final long jvmStart = jvmNanos();
    private final long postgresStart = postgresTicks();

    static CpuShare start() {
        return new CpuShare();
    }

    /** The window so far, as one line. */
    String stop() {
        double seconds = (System.nanoTime() - wallStart) / 1e9;
        long[] machine = ProcStats.machineTicks();
        double busy = (machine[0] - machineStart[0]) / ProcStats.TICKS_PER_SECOND / seconds;
        double jvm = (jvmNanos() - jvmStart) / 1e9 / seconds;
        double postgres = (postgresTicks() - postgresStart) / ProcStats.TICKS_PER_SECOND / seconds;
        return String.format("%.1f s: machine %.2f of %d cores busy; this JVM (servers + load generator) %.2f, its "
                + "PostgreSQL %.2f, other processes %.2f cores; CPU-s: JVM %.1f, PostgreSQL %.1f", seconds, busy,
                Runtime.getRuntime().availableProcessors(), jvm, postgres, Math.max(0, busy - jvm - postgres),
                jvm * seconds, postgres * seconds);
    }

    private static long jvmNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long postgresTicks() {
        return ProcStats.postgresTicks(TestDatabases.server().directory());
    }
}
