package org.myelin.bench.sync;

import org.myelin.bench.ProcStats;
import org.myelin.bench.federation.Report;
import org.myelin.storage.testing.TestDatabases;

import java.nio.file.Path;

/**
 * Progress of a long seeding, told the joins made so far: a line each tenth of {@code expected},
 * with the joins a second and the CPU time of this JVM and of its PostgreSQL per join over that
 * tenth, so that a rate falling as the database grows shows.
 */
final class SeedProgress {

    private final Report report;
    private final long step;
    private final long pid = ProcessHandle.current().pid();
    private final Path postgres = TestDatabases.server().directory();
    private final long start = System.nanoTime();
    private long nextLine;
    private long lastJoins;
    private long lastNanos = start;
    private long lastJvm = ProcStats.processTicks(pid, false);
    private long lastPostgres = ProcStats.postgresTicks(postgres);

    SeedProgress(Report report, long expected) {
        this.report = report;
        this.step = Math.max(1, expected / 10);
        this.nextLine = step;
    }

    synchronized void joined(long joins) {
        if (joins < nextLine || joins - lastJoins < step / 2) {
            return;
        }
        nextLine = (joins / step + 1) * step;
        long now = System.nanoTime();
        long jvm = ProcStats.processTicks(pid, false);
        long pg = ProcStats.postgresTicks(postgres);
        long made = joins - lastJoins;
        report.info("%d joins after %.0f s: %.0f joins/s since the last line; per join JVM CPU %.2f ms,"
                        + " PostgreSQL CPU %.2f ms; load average %s", joins, (now - start) / 1e9,
                made / ((now - lastNanos) / 1e9), (jvm - lastJvm) * 10.0 / made, (pg - lastPostgres) * 10.0 / made,
                ProcStats.loadAverage());
        lastJoins = joins;
        lastNanos = now;
        lastJvm = jvm;
        lastPostgres = pg;
    }
}
