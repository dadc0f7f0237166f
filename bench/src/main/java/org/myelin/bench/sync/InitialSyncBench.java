package org.myelin.bench.sync;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.bench.ProcStats;
import org.myelin.bench.federation.Report;
import org.myelin.server.testing.QueryCounter;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An initial {@code /sync} of a user in many rooms: {@code rooms} rooms, each made by one user,
 * joined by the measured user and {@code members - 2} others, with {@code messages} messages,
 * synced with a timeline limit of {@code limit}. Everything is seeded through the client-server
 * API; then {@code warmups} initial syncs untimed and {@code runs} timed (wall time of the whole
 * request, response read), and the SQL statements of one sync, by kind.
 *
 * <p>Myelin runs in this JVM ({@link TestHomeserver}, its own embedded PostgreSQL). Run from the
 * repository root:
 * <pre>{@code
 * mvn -B -q -o -DskipTests package -pl bench -am
 * java @config/jvm.options -XX:+UseCompactObjectHeaders -cp bench/target/benchmarks.jar org.myelin.bench.sync.InitialSyncBench
 * }</pre>
 * Options (system properties): {@code rooms=200 messages=20 members=3 limit=10 warmups=5 runs=21 seeders=4
 * lazy=false} ({@code lazy}: the filter asks for {@code lazy_load_members}).
 * The first sync after seeding is reported apart ("cold"): it finds the rooms' caches as the
 * seeding left them.
 */
public final class InitialSyncBench {

    private static final String V3 = "/_matrix/client/v3";

    private InitialSyncBench() {
    }

    public static void main(String[] args) throws Exception {
        int rooms = Integer.getInteger("rooms", 200);
        int messages = Integer.getInteger("messages", 20);
        int members = Integer.getInteger("members", 3);
        int limit = Integer.getInteger("limit", 10);
        int warmups = Integer.getInteger("warmups", 5);
        int runs = Integer.getInteger("runs", 21);
        int seeders = Integer.getInteger("seeders", 4);
        boolean lazy = Boolean.getBoolean("lazy");
        Report report = new Report();
        report.info("InitialSyncBench rooms=%d messages=%d members=%d limit=%d lazy=%b at %s; %d cores; load average %s; %s",
                rooms, messages, members, limit, lazy, Instant.now(), Runtime.getRuntime().availableProcessors(),
                ProcStats.loadAverage(), Runtime.version());
        QueryCounter queries = new QueryCounter();
        try (TestHomeserver hs = TestHomeserver.builder().instrument(queries).start()) {
            TestUser alice = hs.registerUser("alice");
            TestUser creator = hs.registerUser("creator");
            List<TestUser> others = new ArrayList<>();
            for (int i = 0; i < members - 2; i++) {
                others.add(hs.registerUser("member-" + i));
            }
            long seedStart = System.nanoTime();
            AtomicLong txn = new AtomicLong();
            try (ExecutorService pool = Executors.newFixedThreadPool(seeders)) {
                List<Future<?>> seeded = new ArrayList<>();
                for (int r = 0; r < rooms; r++) {
                    int room = r;
                    seeded.add(pool.submit(() -> {
                        String roomId = hs.expect(200, creator, "POST", V3 + "/createRoom",
                                "{\"preset\": \"public_chat\", \"name\": \"Room " + room + "\"}").path("room_id").asText();
                        hs.expect(200, alice, "POST", V3 + "/join/" + TestHomeserver.enc(roomId), "{}");
                        for (TestUser other : others) {
                            hs.expect(200, other, "POST", V3 + "/join/" + TestHomeserver.enc(roomId), "{}");
                        }
                        for (int m = 0; m < messages; m++) {
                            TestUser sender = m % 2 == 0 ? creator : alice;
                            hs.expect(200, sender, "PUT", V3 + "/rooms/" + TestHomeserver.enc(roomId)
                                            + "/send/m.room.message/b" + txn.incrementAndGet(),
                                    "{\"msgtype\": \"m.text\", \"body\": \"message " + m + " in room " + room + "\"}");
                        }
                        return null;
                    }));
                }
                for (Future<?> f : seeded) {
                    f.get();
                }
            }
            report.info("seeded through the client-server API in %.1f s", (System.nanoTime() - seedStart) / 1e9);
            String path = V3 + "/sync?filter=" + TestHomeserver.enc("{\"room\": {\"timeline\": {\"limit\": " + limit
                    + "}" + (lazy ? ", \"state\": {\"lazy_load_members\": true}" : "") + "}}");
            Thread.sleep(2000);

            long coldStart = System.nanoTime();
            List<String> coldQueries = new ArrayList<>();
            JsonNode first = timed(hs, alice, path, queries, coldQueries);
            double coldMs = (System.nanoTime() - coldStart) / 1e6;
            int joined = first.path("rooms").path("join").size();
            if (joined != rooms) {
                throw new AssertionError("initial sync has " + joined + " joined rooms, expected " + rooms);
            }
            for (int i = 0; i < warmups; i++) {
                timed(hs, alice, path, null, null);
            }
            double[] ms = new double[runs];
            long bytes = 0;
            List<String> warmQueries = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                HttpResponse<String> r = hs.authed(alice.accessToken(), "GET", path, null);
                ms[i] = (System.nanoTime() - start) / 1e6;
                if (r.statusCode() != 200) {
                    throw new AssertionError("sync: " + r.statusCode() + " " + r.body());
                }
                bytes = r.body().length();
                if (i == 0) {
                    warmQueries.addAll(queries.during(() -> hs.authed(alice.accessToken(), "GET", path, null)));
                }
            }
            Arrays.sort(ms);
            report.info("warm runs (ms, sorted): %s", Arrays.toString(Arrays.stream(ms)
                    .map(v -> Math.round(v * 10) / 10.0).toArray()));
            report.info("warm sync's statements by kind: %s", byKind(warmQueries));
            report.info("cold sync's statements by kind: %s", byKind(coldQueries));
            report.result("initial sync, cold (first after seeding)", String.format("%.1f ms", coldMs),
                    coldQueries.size() + " statements");
            report.result("initial sync, warm median", String.format("%.1f ms", ms[ms.length / 2]),
                    String.format("min %.1f, max %.1f of %d; %d statements; %d kB", ms[0], ms[ms.length - 1], runs,
                            warmQueries.size(), bytes / 1024));
            report.summary();
        }
    }

    private static JsonNode timed(TestHomeserver hs, TestUser user, String path, QueryCounter queries,
                                  List<String> made) {
        if (queries == null) {
            return hs.expect(200, user, "GET", path, null);
        }
        QueryCounter.Counted<JsonNode> counted = queries.counting(() -> hs.expect(200, user, "GET", path, null));
        made.addAll(counted.queries());
        return counted.result();
    }

    /** Statements grouped by their first 60 characters, with counts: where the per-room queries are. */
    private static Map<String, Integer> byKind(List<String> statements) {
        Map<String, Integer> kinds = new TreeMap<>();
        for (String s : statements) {
            String key = s.replaceAll("\\s+", " ").trim();
            kinds.merge(key.substring(0, Math.min(70, key.length())), 1, Integer::sum);
        }
        return kinds;
    }
}
