package org.myelin.bench.sync;

import org.myelin.bench.ProcStats;
import org.myelin.bench.e2ee.HttpPool;
import org.myelin.bench.e2ee.Latencies;
import org.myelin.bench.federation.Diagnostics;
import org.myelin.bench.federation.Report;
import org.myelin.bench.load.Http1Connection;
import org.myelin.bench.load.MatrixHttp;
import org.myelin.server.streams.StreamId;
import org.myelin.server.testing.QueryCounter;
import org.myelin.server.testing.TestHomeserver;

import jdk.jfr.Recording;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * An initial {@code /sync} of a user in many rooms: {@code rooms} rooms, each made by one user,
 * joined by the measured user and {@code members - 2} others, with {@code messages} messages,
 * synced with a timeline limit of {@code limit}. Users register through the client-server API;
 * rooms, joins and messages are made through the services it calls ({@link BulkRooms}), many
 * rooms at a time. Then, for each filter asked for, {@code warmups} initial syncs untimed and
 * {@code runs} timed (wall time of the whole request, response read), and the SQL statements of
 * one sync, by kind.
 *
 * <p>Myelin runs in this JVM ({@link TestHomeserver}, its own embedded PostgreSQL). Run from the
 * repository root:
 * <pre>{@code
 * mvn -B -q -o -DskipTests package -pl bench -am
 * java @config/jvm.options -XX:+UseCompactObjectHeaders -cp bench/target/benchmarks.jar org.myelin.bench.sync.InitialSyncBench
 * }</pre>
 * (with {@code -Xmx4g} after the options file for 2,000 rooms of 300 members: without lazy loading
 * that sync's response is some 170 MB, and the client reading it lives in the same JVM).
 * Options (system properties): {@code rooms=200 messages=20 members=3 limit=10 warmups=5 runs=21
 * seeders=32 lazy=false} ({@code lazy}: whether the filter asks for {@code lazy_load_members};
 * {@code lazy=true,false} measures both, in that order, on one seeding; {@code fullRuns}, by default
 * {@code runs}: the timed syncs without lazy loading).
 * The first sync after seeding is reported apart ("cold"): it finds the rooms' caches as the
 * seeding left them. {@code jfr=true} records each filter's syncs with JFR and prints where the
 * server's samples are.
 *
 * <p>{@code window=20} then also times Element X's first sliding sync window (MSC4186) of the same
 * user ({@link SlidingSyncWindowBench#body}: the {@code window} newest rooms, ten events each, the
 * state a room list shows, five extensions), {@code windowSamples=30} times on a warm server, and
 * again after a restart (every cache empty), with the statements of one window.
 */
public final class InitialSyncBench {

    private static final String V3 = "/_matrix/client/v3";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private InitialSyncBench() {
    }

    public static void main(String[] args) throws Exception {
        int rooms = Integer.getInteger("rooms", 200);
        int messages = Integer.getInteger("messages", 20);
        int members = Integer.getInteger("members", 3);
        int limit = Integer.getInteger("limit", 10);
        int warmups = Integer.getInteger("warmups", 5);
        int runs = Integer.getInteger("runs", 21);
        int fullRuns = Integer.getInteger("fullRuns", runs);
        int seeders = Integer.getInteger("seeders", BulkRooms.PARALLEL);
        List<Boolean> lazies = Arrays.stream(System.getProperty("lazy", "false").split(","))
                .map(Boolean::parseBoolean).toList();
        Report report = new Report();
        report.info("InitialSyncBench rooms=%d messages=%d members=%d limit=%d lazy=%s at %s; %d cores; load average %s; %s",
                rooms, messages, members, limit, lazies, Instant.now(), Runtime.getRuntime().availableProcessors(),
                ProcStats.loadAverage(), Runtime.version());
        QueryCounter queries = new QueryCounter();
        AtomicBoolean counting = new AtomicBoolean();
        try (TestHomeserver hs = TestHomeserver.builder().instrument(countedWhile(counting, queries)).start()) {
            MatrixHttp http = new MatrixHttp("http://127.0.0.1:" + hs.clientPort());
            BulkRooms.Member alice = BulkRooms.register(http, "alice");
            BulkRooms.Member creator = BulkRooms.register(http, "creator");
            List<BulkRooms.Member> joining = new ArrayList<>();
            joining.add(alice);
            joining.addAll(BulkRooms.register(http, "member-", members - 2));
            long seedStart = System.nanoTime();
            BulkRooms bulk = new BulkRooms(hs, seeders);
            SeedProgress progress = new SeedProgress(report, (long) rooms * joining.size());
            bulk.make(rooms, r -> new BulkRooms.Room(creator, "public_chat", "Room " + r, List.of(), joining), roomId -> {
                for (int m = 0; m < messages; m++) {
                    bulk.send(m % 2 == 0 ? creator : alice, roomId, "message " + m + " in room " + roomId);
                }
            }, progress::joined);
            report.info("seeded through the client-server API's services in %.1f s (%d joins); load average %s",
                    (System.nanoTime() - seedStart) / 1e9, bulk.joins(), ProcStats.loadAverage());
            // The push actions of the messages are recorded behind their commits (each message is
            // evaluated for every other member): syncs are measured once that work is done.
            long recorded = System.nanoTime();
            if (!hs.homeserver().pushActions().awaitProcessed(hs.homeserver().rooms().streams.position(StreamId.TIMELINE),
                    Duration.ofHours(2))) {
                throw new IllegalStateException("push actions still not recorded after two hours");
            }
            report.info("push actions recorded %.1f s after the seeding; load average %s",
                    (System.nanoTime() - recorded) / 1e9, ProcStats.loadAverage());
            Thread.sleep(2000);
            boolean first = true;
            for (boolean lazy : lazies) {
                String path = V3 + "/sync?filter=" + TestHomeserver.enc("{\"room\": {\"timeline\": {\"limit\": " + limit
                        + "}" + (lazy ? ", \"state\": {\"lazy_load_members\": true}" : "") + "}}");
                String name = lazy ? "lazy" : "full";
                Recording recording = Boolean.getBoolean("jfr") ? Diagnostics.startRecording() : null;
                try {
                    measure(report, hs, alice, path, new Runs(rooms, warmups, lazy ? runs : fullRuns, first, name),
                            new Counted(queries, counting));
                } catch (RuntimeException e) {
                    // A long seeding is not thrown away for one filter's failure: the next one is measured.
                    report.info("%s: failed: %s", name, e);
                } finally {
                    if (recording != null) {
                        Path jfr = Diagnostics.stop(recording, "myelin-initialsync-" + name);
                        report.info("%s: JFR recording of its syncs in %s", name, jfr);
                        Diagnostics.myelinProfile(jfr, 30).forEach(line -> report.info("%s: %s", name, line));
                    }
                }
                first = false;
            }
            int window = Integer.getInteger("window", 0);
            if (window > 0) {
                Windows windows = new Windows(rooms, window, Integer.getInteger("windowSamples", 30));
                HttpPool pool = new HttpPool("127.0.0.1", hs.clientPort());
                firstWindow(report, "warm", pool, alice, windows, new Counted(queries, counting));
                hs.restart();
                report.info("restarted; load average %s", ProcStats.loadAverage());
                firstWindow(report, "after_restart", pool, alice, windows, new Counted(queries, counting));
                pool.close();
            }
            report.summary();
        }
        System.exit(0); // the embedded PostgreSQL's shutdown hook stops it
    }

    /**
     * The pool's connections, counted by {@code queries} while {@code counting} holds: not while
     * seeding, whose millions of statements it would keep.
     */
    private static UnaryOperator<DataSource> countedWhile(AtomicBoolean counting, QueryCounter queries) {
        return plain -> {
            DataSource counted = queries.apply(plain);
            return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                    (proxy, method, args) -> {
                        try {
                            return method.invoke(counting.get() ? counted : plain, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        };
    }

    /** How many syncs to make and how to name them; {@code cold}: whether the first is the first since seeding. */
    private record Runs(int rooms, int warmups, int runs, boolean cold, String name) {
    }

    /** The statements of a sync, counted only when asked: counting costs the syncs timed. */
    private record Counted(QueryCounter queries, AtomicBoolean counting) {
        <T> QueryCounter.Counted<T> of(Supplier<T> action) {
            counting.set(true);
            try {
                return queries.counting(action);
            } finally {
                counting.set(false);
            }
        }
    }

    private static void measure(Report report, TestHomeserver hs, BulkRooms.Member alice, String path, Runs sampling,
                                Counted counted) {
        String name = sampling.name();
        long coldStart = System.nanoTime();
        QueryCounter.Counted<HttpResponse<String>> cold = counted.of(() -> sync(hs, alice, path));
        double coldMs = (System.nanoTime() - coldStart) / 1e6;
        int joined = TestHomeserver.json(cold.result()).path("rooms").path("join").size();
        if (joined != sampling.rooms()) {
            throw new AssertionError("initial sync has " + joined + " joined rooms, expected " + sampling.rooms());
        }
        for (int i = 0; i < sampling.warmups(); i++) {
            sync(hs, alice, path);
        }
        double[] ms = new double[sampling.runs()];
        long bytes = 0;
        for (int i = 0; i < ms.length; i++) {
            long start = System.nanoTime();
            bytes = sync(hs, alice, path).body().length();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        List<String> warmQueries = counted.of(() -> sync(hs, alice, path)).queries();
        Arrays.sort(ms);
        report.info("%s: warm runs (ms, sorted): %s", name, Arrays.toString(Arrays.stream(ms)
                .map(v -> Math.round(v * 10) / 10.0).toArray()));
        report.info("%s: warm sync's statements by kind: %s", name, byKind(warmQueries));
        report.info("%s: first sync's statements by kind: %s", name, byKind(cold.queries()));
        report.result(name + " initial sync, " + (sampling.cold() ? "cold (first after seeding)" : "first"),
                String.format("%.1f ms", coldMs), cold.queries().size() + " statements");
        report.result(name + " initial sync, warm median", String.format("%.1f ms", ms[ms.length / 2]),
                String.format("min %.1f, max %.1f of %d; %d statements; %d kB; load average %s", ms[0],
                        ms[ms.length - 1], ms.length, warmQueries.size(), bytes / 1024, ProcStats.loadAverage()));
    }

    /** A sliding sync window of {@code window} rooms out of {@code rooms}, asked {@code samples} times. */
    private record Windows(int rooms, int window, int samples) {
    }

    /**
     * The first window of a new sliding sync connection (no {@code pos}): the first one apart, then
     * the median of {@code samples}, then one more with its statements counted.
     */
    private static void firstWindow(Report report, String when, HttpPool pool, BulkRooms.Member user, Windows w,
                                    Counted counted) {
        byte[] body = SlidingSyncWindowBench.body(w.window());
        String path = SlidingSyncWindowBench.PATH + "?timeout=0";
        long t0 = System.nanoTime();
        SlidingSyncWindowBench.check(pool.exchange("POST", path, user.accessToken(), body), w.rooms(), w.window());
        double coldMs = (System.nanoTime() - t0) / 1e6;
        List<Double> ms = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < w.samples(); i++) {
            long start = System.nanoTime();
            Http1Connection.Response r = pool.exchange("POST", path, user.accessToken(), body);
            ms.add((System.nanoTime() - start) / 1e6);
            bytes = r.body().length;
            SlidingSyncWindowBench.check(r, w.rooms(), w.window());
        }
        List<String> statements = counted.of(() -> pool.exchange("POST", path, user.accessToken(), body)).queries();
        report.info("%s first window's statements by kind: %s", when, byKind(statements));
        report.result(when + ".first_window." + w.window() + "_of_" + w.rooms() + "_rooms", Latencies.of(ms).toString(),
                String.format("(first: %.1f ms; %.0f kB; %d statements; load average %s)", coldMs, bytes / 1e3,
                        statements.size(), ProcStats.loadAverage()));
    }

    /** An initial sync, given all the time it takes (a test server's requests give up after 30 s). */
    private static HttpResponse<String> sync(TestHomeserver hs, BulkRooms.Member user, String path) {
        HttpRequest request = HttpRequest.newBuilder(hs.clientUri(path)).timeout(Duration.ofHours(1))
                .header("Authorization", "Bearer " + user.accessToken()).GET().build();
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("sync: " + r.statusCode() + " " + r.body());
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
