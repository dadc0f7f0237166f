package org.myelin.bench.load;

import org.myelin.bench.ProcStats;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * CPU time spent by each party of the client load benchmark over a window: the server process,
 * its PostgreSQL, this JVM (the load generator) and the rest of the machine. Divided by the
 * messages of the window it gives CPU per message, which noise from other processes on a shared
 * machine disturbs far less than throughput.
 */
record CpuSplit(double seconds, double server, double postgres, double loadGenerator, double machine) {

    /** A snapshot to subtract from a later one. */
    static CpuSplit now(long serverPid, Path postgresDir) {
        long[] machine = ProcStats.machineTicks();
        return new CpuSplit(System.nanoTime() / 1e9, ProcStats.processTicks(serverPid, false) / ProcStats.TICKS_PER_SECOND,
                ProcStats.postgresTicks(postgresDir) / ProcStats.TICKS_PER_SECOND,
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime() / 1e9,
                machine[0] / ProcStats.TICKS_PER_SECOND);
    }

    CpuSplit minus(CpuSplit start) {
        return new CpuSplit(seconds - start.seconds, server - start.server, postgres - start.postgres,
                loadGenerator - start.loadGenerator, machine - start.machine);
    }

    String perMessage(long messages) {
        double others = Math.max(0, machine - server - postgres - loadGenerator);
        return String.format("CPU per message: server %.2f ms, PostgreSQL %.2f ms, load generator %.2f ms; "
                + "cores busy: server %.2f, PostgreSQL %.2f, load generator %.2f, other processes %.2f",
                1000 * server / messages, 1000 * postgres / messages, 1000 * loadGenerator / messages,
                server / seconds, postgres / seconds, loadGenerator / seconds, others / seconds);
    }
}
