package org.myelin.bench.sync;

import org.myelin.bench.ProcStats;
import org.myelin.bench.federation.Report;
import org.myelin.bench.load.MatrixHttp;
import org.myelin.server.testing.QueryCounter;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.storage.testing.TestDatabases;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What a join costs as a room grows: {@code members} users join one public room, one after the
 * other, through the service {@code POST /join} calls ({@link BulkRooms}); for each step of
 * {@code step} joins, the wall time and the CPU time of this JVM and of its PostgreSQL per join.
 * A join whose cost grows with the room shows as a rising line.
 *
 * <pre>{@code
 * java @config/jvm.options -XX:+UseCompactObjectHeaders -Dmembers=300 -cp bench/target/benchmarks.jar org.myelin.bench.sync.JoinCost
 * }</pre>
 * Options: {@code members=300 step=50 rooms=1} ({@code rooms}: rooms joined in turn, each by all
 * {@code members}); {@code statements=true} prints the statements of one more join per room.
 */
public final class JoinCost {

    private JoinCost() {
    }

    public static void main(String[] args) {
        int members = Integer.getInteger("members", 300);
        int step = Integer.getInteger("step", 50);
        int rooms = Integer.getInteger("rooms", 1);
        Report report = new Report();
        report.info("JoinCost members=%d step=%d rooms=%d at %s; %d cores; load average %s; %s", members, step, rooms,
                Instant.now(), Runtime.getRuntime().availableProcessors(), ProcStats.loadAverage(), Runtime.version());
        QueryCounter queries = new QueryCounter();
        try (TestHomeserver hs = TestHomeserver.builder().instrument(queries).start()) {
            long pid = ProcessHandle.current().pid();
            Path pgDir = TestDatabases.server().directory();
            MatrixHttp http = new MatrixHttp("http://127.0.0.1:" + hs.clientPort());
            List<BulkRooms.Member> users = BulkRooms.register(http, "joiner", members + rooms + 1);
            BulkRooms bulk = new BulkRooms(hs, 1);
            for (int room = 0; room < rooms; room++) {
                String roomId = bulk.make(new BulkRooms.Room(users.getLast(), "public_chat", null, List.of(), List.of()));
                for (int from = 0; from < members; from += step) {
                    long wall = System.nanoTime();
                    long jvm = ProcStats.processTicks(pid, false);
                    long pg = ProcStats.postgresTicks(pgDir);
                    int to = Math.min(members, from + step);
                    for (int i = from; i < to; i++) {
                        bulk.join(users.get(i), roomId);
                    }
                    int n = to - from;
                    double wallMs = (System.nanoTime() - wall) / 1e6 / n;
                    double jvmMs = (ProcStats.processTicks(pid, false) - jvm) * 10.0 / n;
                    double pgMs = (ProcStats.postgresTicks(pgDir) - pg) * 10.0 / n;
                    report.result(String.format("room %d members %d-%d", room, from + 2, to + 1),
                            String.format("%.2f ms a join", wallMs),
                            String.format("JVM CPU %.2f ms, PostgreSQL CPU %.2f ms a join", jvmMs, pgMs));
                }
                if (Boolean.getBoolean("statements")) {
                    BulkRooms.Member extra = users.get(members + room);
                    List<String> made = queries.during(() -> bulk.join(extra, roomId));
                    report.info("the statements of one more join (%d):", made.size());
                    made.forEach(q -> report.info("  %s", q.replaceAll("\\s+", " ")));
                }
            }
            report.summary();
        }
        System.exit(0);
    }
}
