package org.myelin.bench.e2ee;

import org.myelin.bench.ProcStats;
import org.myelin.bench.federation.FederationRequestLog;
import org.myelin.bench.federation.Report;
import org.myelin.server.testing.TestHomeserver;

import java.time.Instant;

/**
 * The end-to-end encryption benchmark: what the server does for encrypting clients, on Myelins
 * in this JVM (real HTTP on loopback, real PostgreSQL, federation over TLS).
 *
 * <ol>
 *   <li>{@code /keys/query} for the members of a large encrypted room ({@link KeyQueryPhase}):
 *       1,000 users with signed device keys in one room; one of them queries all of them, 50
 *       times after 10 untimed; p50/p90/max. Target: p50 &lt;= 50 ms.</li>
 *   <li>Concurrent {@code /keys/claim} ({@link KeyClaimPhase}): 100 devices with 110 one-time keys
 *       each; 1,000 claims of 10 devices' keys each over 50 connections; claims/s and latency;
 *       no key handed out twice.</li>
 *   <li>To-device across two servers ({@link ToDevicePhase}): 10 senders on A send 10,000
 *       messages to 100 devices on B in requests of 100; time until the last shows in B's
 *       {@code /sync}; each exactly once and in order.</li>
 * </ol>
 *
 * <p>Run from the repository root:
 * <pre>{@code
 * ./myelin build && mvn -B -q -DskipTests package -pl bench -am
 * java -cp bench/target/benchmarks.jar org.myelin.bench.e2ee.KeysLoad
 * }</pre>
 * Options are system properties ({@link KeysOptions}), e.g. {@code -Dphases=2 -Dotks=50}. Context
 * lines start with {@code #}, figures with {@code RESULT}; each phase reports the CPU other
 * processes used meanwhile, since the machine may be shared.
 */
public final class KeysLoad {

    private KeysLoad() {
    }

    public static void main(String[] args) throws Exception {
        KeysOptions options = KeysOptions.fromSystemProperties();
        Report report = new Report();
        KeysServers.logLevel(System.getProperty("logLevel", "WARN"));
        report.info("KeysLoad %s at %s; %d cores; load average %s", options, Instant.now(),
                Runtime.getRuntime().availableProcessors(), ProcStats.loadAverage());
        if (options.phases().contains(1) || options.phases().contains(2)) {
            try (TestHomeserver hs = KeysServers.boot(options.pool(), new FederationRequestLog())) {
                if (options.phases().contains(1)) {
                    new KeyQueryPhase(options, report).run(hs);
                    report.info("load average after phase 1: %s", ProcStats.loadAverage());
                }
                if (options.phases().contains(2)) {
                    new KeyClaimPhase(options, report).run(hs);
                    report.info("load average after phase 2: %s", ProcStats.loadAverage());
                }
            }
        }
        if (options.phases().contains(3)) {
            new ToDevicePhase(options, report).run();
            report.info("load average after phase 3: %s", ProcStats.loadAverage());
        }
        report.summary();
        System.exit(0); // the embedded PostgreSQL's shutdown hook stops it
    }
}
