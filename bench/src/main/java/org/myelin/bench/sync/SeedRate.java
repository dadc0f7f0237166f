package org.myelin.bench.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.bench.ProcStats;
import org.myelin.bench.federation.Report;
import org.myelin.bench.load.MatrixHttp;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.storage.testing.TestDatabases;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * How fast rooms are seeded: {@code rooms} public rooms, each created by one user and joined by
 * the {@code members - 1} others (the same users in every room), {@code parallel} rooms at a
 * time, either over HTTP ({@code via=http}: {@code POST /createRoom} and {@code /join} on
 * keep-alive connections, as the benchmarks seeded before) or through the services those
 * endpoints call ({@code via=services}, {@link BulkRooms}). Reports joins a second and the CPU
 * time of this JVM (server and, over HTTP, clients) and of its PostgreSQL per join.
 *
 * <pre>{@code
 * java @config/jvm.options -XX:+UseCompactObjectHeaders -Dvia=services -cp bench/target/benchmarks.jar org.myelin.bench.sync.SeedRate
 * }</pre>
 * Options: {@code via=services rooms=100 members=50 parallel=16}; {@code statementLog=FILE} has PostgreSQL
 * log every statement of the seeding with its duration, copied to {@code FILE} at the end.
 */
public final class SeedRate {

    private SeedRate() {
    }

    public static void main(String[] args) throws Exception {
        String via = System.getProperty("via", "services");
        int roomCount = Integer.getInteger("rooms", 100);
        int members = Integer.getInteger("members", 50);
        int parallel = Integer.getInteger("parallel", 16);
        Report report = new Report();
        report.info("SeedRate via=%s rooms=%d members=%d parallel=%d at %s; %d cores; load average %s; %s", via,
                roomCount, members, parallel, Instant.now(), Runtime.getRuntime().availableProcessors(),
                ProcStats.loadAverage(), Runtime.version());
        try (TestHomeserver hs = TestHomeserver.builder().start()) {
            MatrixHttp http = new MatrixHttp("http://127.0.0.1:" + hs.clientPort());
            List<BulkRooms.Member> users = BulkRooms.register(http, "seed", members);
            Path pg = TestDatabases.server().directory();
            String statementLog = System.getProperty("statementLog");
            if (statementLog != null) {
                logStatements("0");
            }
            long pid = ProcessHandle.current().pid();
            long jvm = ProcStats.processTicks(pid, false);
            long postgres = ProcStats.postgresTicks(pg);
            long start = System.nanoTime();
            long joins;
            if (via.equals("http")) {
                joins = overHttp(http, users, roomCount, parallel);
            } else {
                joins = throughServices(hs, users, roomCount, parallel, report);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (statementLog != null) {
                logStatements("-1");
                Files.copy(pg.resolveSibling("postgres.log"), Path.of(statementLog), StandardCopyOption.REPLACE_EXISTING);
                report.info("statements logged with their durations in %s", statementLog);
            }
            double jvmMs = (ProcStats.processTicks(pid, false) - jvm) * 10.0 / joins;
            double pgMs = (ProcStats.postgresTicks(pg) - postgres) * 10.0 / joins;
            report.result("seeding via " + via, String.format("%.0f joins/s", joins / seconds),
                    String.format("%d rooms, %d joins in %.1f s; per join: JVM CPU %.2f ms, PostgreSQL CPU %.2f ms;"
                            + " load average %s", roomCount, joins, seconds, jvmMs, pgMs, ProcStats.loadAverage()));
            report.summary();
        }
        System.exit(0);
    }

    /** Sets PostgreSQL's {@code log_min_duration_statement} (0: every statement, -1: none). */
    private static void logStatements(String value) throws SQLException {
        try (Connection c = TestDatabases.server().adminDataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET log_min_duration_statement = " + value);
            s.execute("SELECT pg_reload_conf()");
        }
    }

    private static long throughServices(TestHomeserver hs, List<BulkRooms.Member> users, int roomCount, int parallel,
                                        Report report) {
        BulkRooms bulk = new BulkRooms(hs, parallel);
        SeedProgress progress = new SeedProgress(report, (long) roomCount * (users.size() - 1));
        bulk.make(roomCount, i -> new BulkRooms.Room(users.getFirst(), "public_chat", "room " + i, List.of(),
                users.subList(1, users.size())), progress::joined);
        return bulk.joins();
    }

    private static long overHttp(MatrixHttp http, List<BulkRooms.Member> users, int roomCount, int parallel) {
        BulkRooms.inParallel(roomCount, parallel, i -> {
            try {
                ObjectNode create = MatrixHttp.JSON.createObjectNode().put("preset", "public_chat").put("name", "room " + i);
                String roomId = http.ok("POST", "/_matrix/client/v3/createRoom", users.getFirst().accessToken(), create)
                        .path("room_id").asText();
                for (BulkRooms.Member user : users.subList(1, users.size())) {
                    http.ok("POST", "/_matrix/client/v3/join/" + MatrixHttp.encode(roomId), user.accessToken(),
                            MatrixHttp.JSON.createObjectNode());
                }
                return roomId;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return (long) roomCount * (users.size() - 1);
    }
}
