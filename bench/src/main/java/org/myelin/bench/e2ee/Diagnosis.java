package org.myelin.bench.e2ee;

import jdk.jfr.Recording;
import org.myelin.bench.federation.Diagnostics;
import org.myelin.bench.federation.Report;
import org.myelin.storage.testing.TestDatabases;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a phase's time goes, when {@code -Ddiagnose=true}: an extra, untimed repetition of the
 * phase's work with a JFR recording of this JVM (Myelin's hot methods) and every statement of the
 * servers' PostgreSQL logged (count and time per statement text). Untimed, because logging every
 * statement slows the work it measures.
 */
public final class Diagnosis {

    private Diagnosis() {
    }

    public static boolean wanted() {
        return Boolean.getBoolean("diagnose");
    }

    /** Runs {@code work} recorded and with statements logged; reports the top methods and statements. */
    public static void of(Report report, String name, Runnable work) {
        int port = TestDatabases.server().port();
        Path log = TestDatabases.server().directory().getParent().resolve("postgres.log");
        try {
            Recording recording = Diagnostics.startRecording();
            long from = Diagnostics.size(log);
            Diagnostics.logStatements(port, true);
            long t0 = System.nanoTime();
            try {
                work.run();
            } finally {
                Diagnostics.logStatements(port, false);
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            Path jfr = Diagnostics.stop(recording, "myelin-keysload-" + name.replaceAll("[^A-Za-z0-9]+", "-"));
            Thread.sleep(200);
            Map<String, long[]> statements = Diagnostics.statements(log, from);
            report.info("---- %s, diagnosed (%.0f ms with every statement logged; JFR %s) ----", name, ms, jfr);
            Diagnostics.top(statements, 15).forEach(l -> report.info("%s", l));
            Diagnostics.myelinProfile(jfr, 25).forEach(l -> report.info("%s", l));
        } catch (Exception e) {
            report.info("diagnosis of %s failed: %s", name, e);
        }
    }
}
