package org.myelin.bench.federation;

import org.myelin.bench.ProcStats;

import java.nio.file.Path;
import java.time.Instant;

/**
 * The federation load benchmark: Myelins talking real HTTPS on loopback.
 *
 * <ol>
 *   <li>Federation latency ({@link LatencyPhase}): three Myelins A, B, C; a room on A joined by
 *       users of B and C by alias; a user of A sends at a steady rate; p50/p99 of the time from
 *       the send request on A until B's and C's long-polling /sync return the message.
 *       Targets: p50 &lt;= 50 ms, p99 &lt;= 250 ms.</li>
 *   <li>Inbound PDUs with signature checking ({@link InboundPhase}): a fake remote server joins
 *       rooms on A and sends forged, correctly signed PDUs in transactions of 50, rooms in
 *       parallel; PDUs/s accepted (every result {@code {}}) and A's share of the CPU. Target:
 *       &gt;= 2,000 PDUs/s. The same run joins 10,000 of its users to one room, for phase 3.</li>
 *   <li>Joining a 10,000-member room ({@link LargeJoinPhase}): a Myelin B started as a separate
 *       process joins that room by alias; time until /join returns and until B holds the full
 *       state; B's peak heap and resident set. Targets: &lt;= 5 s, &lt;= 512 MB heap. A missed
 *       target triggers a profiled second join (JFR on both sides, statements counted).</li>
 * </ol>
 *
 * <p>Run from the repository root, after {@code ./myelin build} (phase 3 starts
 * {@code server/target/classes} with {@code server/target/lib}) and
 * {@code mvn -B -q -DskipTests package -pl bench -am}:
 * <pre>{@code
 * ./myelin build && mvn -B -q -DskipTests package -pl bench -am
 * java -XX:FlightRecorderOptions=stackdepth=256 -cp bench/target/benchmarks.jar org.myelin.bench.federation.FederationLoad
 * }</pre>
 * (the deeper JFR stacks only make the in-process profiles attribute time to callers better).
 * Options are system properties ({@link Options}), e.g. {@code -Dphases=2,3 -Dmembers=2000}.
 * A run takes 6 to 10 minutes (phase 2 sends 18,000 PDUs; a missed phase 3 target adds a second,
 * profiled join). Every phase reports the CPU other processes used meanwhile: on a shared machine,
 * compare only figures of runs whose other processes used little.
 * Context lines start with {@code #}, each figure's line with {@code RESULT}; the load average
 * is printed before and after each phase, since the machine is shared.
 */
public final class FederationLoad {

    private FederationLoad() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.fromSystemProperties();
        Report report = new Report();
        BenchServers.logLevel(System.getProperty("logLevel", "WARN"));
        report.info("FederationLoad %s at %s; %d cores; load average %s", options, Instant.now(),
                Runtime.getRuntime().availableProcessors(), ProcStats.loadAverage());
        if (options.phases().contains(1)) {
            new LatencyPhase(options, report).run();
            report.info("load average after phase 1: %s", ProcStats.loadAverage());
        }
        if (options.phases().contains(2) || options.phases().contains(3)) {
            try (InboundPhase.Populated room = new InboundPhase(options, report).run()) {
                report.info("load average after phase 2: %s", ProcStats.loadAverage());
                if (options.phases().contains(3)) {
                    new LargeJoinPhase(options, report, Path.of(System.getProperty("myelinHome", "."))).run(room);
                    report.info("load average after phase 3: %s", ProcStats.loadAverage());
                }
            }
        }
        report.summary();
        System.exit(0); // the embedded PostgreSQL's shutdown hook stops it
    }
}
