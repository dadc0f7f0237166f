package org.myelin.bench.load;

import org.myelin.bench.ProcStats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.storage.EmbeddedPostgresServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client-server load benchmark (issue "Client-server API core"): N users in R shared rooms
 * on one Myelin process, each user long-polling /sync.
 *
 * <ol>
 *   <li>Baseline: bare single-row INSERT commits per second on the same PostgreSQL.</li>
 *   <li>Throughput: every user sends as fast as its acknowledgements come back (closed loop).</li>
 *   <li>Latency: an offered load of M messages/s; for each message, the time from the send
 *       request until each other member's /sync returns it (p50, p99).</li>
 *   <li>Idle footprint: the server's resident memory with the users connected and idle.</li>
 * </ol>
 *
 * Run: {@code ./myelin build && java -cp "bench/target/benchmarks.jar" org.myelin.bench.load.ClientLoad}
 * Options (system properties): users=100 rooms=10 seconds=20 warmupSeconds=30 rate=200 idleSeconds=30 sync=true;
 * jvmOptions=config/jvm.options (the server's JVM options file), serverJavaOpts (added to them);
 * metricsPort=N serves the server's Prometheus metrics on that port and scrapes them every second
 * (scrapeSeconds=N: every N seconds), and prints each cache's size and hit rate after the load
 * (off by default: compare a run with and one without for the cost of metrics).
 */
public final class ClientLoad {

    record User(String userId, String token, String roomId) {
    }

    public static void main(String[] args) throws Exception {
        int users = Integer.getInteger("users", 100);
        int roomCount = Integer.getInteger("rooms", 10);
        int seconds = Integer.getInteger("seconds", 20);
        int rate = Integer.getInteger("rate", 200);
        Path dir = Files.createTempDirectory("myelin-bench");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), dir.resolve("pg.log"),
                EmbeddedPostgresServer.Mode.DISPOSABLE)) {
            try (Connection c = pg.adminDataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE myelin");
            }
            System.out.printf("baseline: %.0f single-row INSERT commits/s%n", insertBaseline(pg, 5));
            int port = freePort();
            Process server = startServer(pg, dir, port);
            System.out.printf("server pid %d, PostgreSQL postmaster pid %d (%s)%n", server.pid(),
                    ProcStats.postmasterPid(pg.directory()), pg.directory());
            try {
                MatrixHttp http = new MatrixHttp("http://127.0.0.1:" + port);
                waitUntilUp(http);
                List<User> all = setUp(http, users, roomCount);
                SyncFleet fleet = new SyncFleet(http, all);
                Thread scraper = scrapeMetrics();
                if (Boolean.parseBoolean(System.getProperty("sync", "true"))) {
                    fleet.start();
                }
                idleFootprint(server, pg, users, Integer.getInteger("idleSeconds", 30));
                ProcStats.resetPeakRss(server.pid());
                CpuMeter cpu = () -> CpuSplit.now(server.pid(), pg.directory());
                throughput(http, all, seconds, fleet, cpu);
                latency(http, all, seconds, rate, fleet, cpu);
                System.out.printf("peak under load: server VmHWM %d MB (since the idle phase), PostgreSQL %d MB (Pss, now)%n",
                        ProcStats.statusKb(server.pid(), "VmHWM") / 1024, ProcStats.postgresPssKb(pg.directory()) / 1024);
                printCaches();
                fleet.stop();
                // The sends' keep-alive connections too (thousands when the offered rate queued):
                // "no one connected" is what the footprint after the load is about.
                http.closeIdle();
                System.out.print("after the load, with no one connected: ");
                idleFootprint(server, pg, 0, Integer.getInteger("idleSeconds", 30));
                if (scraper != null) {
                    scraper.interrupt();
                }
            } finally {
                server.destroy();
                server.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Resident memory with every user connected (long-polling) and nothing sent: soon after set-up, and once idle. */
    static void idleFootprint(Process server, EmbeddedPostgresServer pg, int users, int idleSeconds) throws Exception {
        Thread.sleep(2000);
        long early = rssMb(server.pid());
        Thread.sleep(TimeUnit.SECONDS.toMillis(Math.max(0, idleSeconds - 2)));
        System.out.printf("idle with %d users connected: server RSS %d MB after 2 s, %d MB after %d s;"
                        + " PostgreSQL %d MB (Pss of all its processes)%n", users, early,
                rssMb(server.pid()), idleSeconds, ProcStats.postgresPssKb(pg.directory()) / 1024);
    }

    static double insertBaseline(EmbeddedPostgresServer pg, int seconds) throws Exception {
        javax.sql.DataSource ds = pg.adminDataSource();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS bench_insert (id BIGSERIAL PRIMARY KEY, body TEXT)");
        }
        long count = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO bench_insert (body) VALUES (?)")) {
            c.setAutoCommit(true);
            while (System.nanoTime() < end) {
                ps.setString(1, "a message body of about sixty bytes, as a chat message is");
                ps.executeUpdate();
                count++;
            }
        }
        return count / (double) seconds;
    }

    static Process startServer(EmbeddedPostgresServer pg, Path dir, int port) throws IOException {
        return startServer(pg, dir, port, "myelin", Integer.getInteger("metricsPort", 0));
    }

    /**
     * A Myelin process on {@code port} with its data under {@code dir} and its tables in
     * {@code database} (created beforehand), serving its metrics on {@code metricsPort} if positive.
     */
    static Process startServer(EmbeddedPostgresServer pg, Path dir, int port, String database, int metricsPort)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The same JVM options as ./myelin run (-DjvmOptions names another file to compare).
        List<String> command = new ArrayList<>(List.of(java, "@" + System.getProperty("jvmOptions", "config/jvm.options"),
                "-XX:+UseCompactObjectHeaders"));
        String extra = System.getProperty("serverJavaOpts", "");
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", "server/target/classes:server/target/lib/*", "org.myelin.server.Main"));
        if (metricsPort > 0) {
            // The default listeners plus one serving the metrics, which the benchmark scrapes.
            Path config = dir.resolve("metrics.yaml");
            Files.writeString(config, """
                    listeners:
                      - {port: 8008, resources: [client, keys, media]}
                      - {port: 8448, tls: {certificate_path: null, key_path: null}, resources: [federation, keys]}
                      - {port: %d, resources: [metrics]}
                    """.formatted(metricsPort));
            command.addAll(List.of("--config", config.toString()));
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("MYELIN_SERVER_NAME", "bench.test");
        env.put("MYELIN_DATA_DIR", dir.resolve("data").toString());
        env.put("MYELIN_DATABASE_URL", pg.jdbcUrl(database));
        env.put("MYELIN_DATABASE_USER", EmbeddedPostgresServer.SUPERUSER);
        env.put("MYELIN_CLIENT_PORT", Integer.toString(port));
        env.put("MYELIN_FEDERATION_PORT", Integer.toString(freePort()));
        // A load test is not abuse: lift the per-user and per-address limits.
        for (String limit : new String[] {"LOGIN", "LOGIN_FAILURES", "REGISTRATION", "MESSAGE"}) {
            env.put("MYELIN_RATE_LIMITS_" + limit + "_PER_SECOND", "100000");
            env.put("MYELIN_RATE_LIMITS_" + limit + "_BURST", "100000");
        }
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        return pb.start();
    }

    /**
     * With {@code -DmetricsPort=N}, the server serves its metrics there and this scrapes them every
     * second (Prometheus' usual interval is 15 s: a pessimistic load), as the cost of metrics is
     * recording and scraping both. Null without metrics.
     */
    static Thread scrapeMetrics() {
        int metricsPort = Integer.getInteger("metricsPort", 0);
        if (metricsPort <= 0) {
            return null;
        }
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest scrape = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build();
        return Thread.ofPlatform().daemon(true).name("metrics-scraper").start(() -> {
            int scrapes = 0;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    if (client.send(scrape, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() != 200) {
                        throw new IllegalStateException("/metrics did not answer 200");
                    }
                    scrapes++;
                    Thread.sleep(TimeUnit.SECONDS.toMillis(Integer.getInteger("scrapeSeconds", 1)));
                } catch (InterruptedException e) {
                    break;
                } catch (Exception e) {
                    System.out.println("metrics scrape failed: " + e);
                    break;
                }
            }
            System.out.printf("metrics: %d scrapes%n", scrapes);
        });
    }

    /**
     * With {@code -DmetricsPort}, each of the server's caches as its metrics tell: entries (and
     * weight, for the caches bounded by it), lookups and the share that hit, evictions.
     */
    static void printCaches() throws Exception {
        int metricsPort = Integer.getInteger("metricsPort", 0);
        if (metricsPort <= 0) {
            return;
        }
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        String text = client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Map<String, Double>> byCache = new java.util.TreeMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(?m)^(cache_size|cache_weight|cache_gets_total|cache_evictions_total)\\{([^}]*)\\} (\\S+)$").matcher(text);
        while (m.find()) {
            Map<String, String> labels = new HashMap<>();
            for (String label : m.group(2).split(",")) {
                String[] kv = label.split("=", 2);
                if (kv.length == 2) {
                    labels.put(kv[0], kv[1].replace("\"", ""));
                }
            }
            String meter = m.group(1) + (labels.containsKey("result") ? "." + labels.get("result") : "");
            byCache.computeIfAbsent(labels.get("cache"), c -> new HashMap<>()).put(meter, Double.parseDouble(m.group(3)));
        }
        System.out.println("caches after the load (entries; weight; lookups, of which hits; evictions):");
        byCache.forEach((cache, v) -> {
            double hits = v.getOrDefault("cache_gets_total.hit", 0.0);
            double lookups = hits + v.getOrDefault("cache_gets_total.miss", 0.0);
            System.out.printf("  %-28s %9.0f%s  %11.0f lookups%s  %9.0f evicted%n", cache, v.getOrDefault("cache_size", 0.0),
                    !v.containsKey("cache_weight") ? ""
                            // The event cache weighs bytes; the others count what they hold (events, states, users).
                            : cache.equals("events") ? String.format(" (%.1f MiB)", v.get("cache_weight") / (1 << 20))
                            : String.format(" (weight %.0f)", v.get("cache_weight")),
                    lookups, lookups > 0 ? String.format(", %5.1f %% hits", 100 * hits / lookups) : "",
                    v.getOrDefault("cache_evictions_total", 0.0));
        });
    }

    static void waitUntilUp(MatrixHttp http) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                if (http.call("GET", "/_matrix/client/versions", null, null).status() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the server did not come up");
    }

    static List<User> setUp(MatrixHttp http, int users, int roomCount) throws Exception {
        List<User> all = new ArrayList<>();
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            String[] account = http.register("load" + i, "correct horse battery staple " + i);
            int room = i % roomCount;
            if (rooms.size() <= room) {
                ObjectNode create = MatrixHttp.JSON.createObjectNode().put("preset", "public_chat");
                rooms.add(http.ok("POST", "/_matrix/client/v3/createRoom", account[1], create).get("room_id").asText());
            } else {
                http.ok("POST", "/_matrix/client/v3/join/" + MatrixHttp.encode(rooms.get(room)), account[1],
                        MatrixHttp.JSON.createObjectNode());
            }
            all.add(new User(account[0], account[1], rooms.get(room)));
        }
        return all;
    }

    interface CpuMeter {
        CpuSplit now();
    }

    static void throughput(MatrixHttp http, List<User> users, int seconds, SyncFleet fleet, CpuMeter cpu)
            throws Exception {
        AtomicLong sent = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (User u : users) {
                pool.submit(() -> {
                    long n = 0;
                    while (!stop.get()) {
                        send(http, u, "t" + (n++), System.nanoTime());
                        sent.incrementAndGet();
                    }
                    return null;
                });
            }
            // Not counted: a server started a minute ago is still compiling its hot paths (C2 was
            // 28 % of the server's CPU in the first ten seconds of sending, and compilations with
            // deoptimisations go on for some 30 s of load); "sustained" is after.
            int warmup = Integer.getInteger("warmupSeconds", 30);
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
            long from = sent.get();
            CpuSplit cpuFrom = cpu.now();
            List<Long> perSecond = new ArrayList<>();
            long last = from;
            for (int s = 0; s < seconds; s++) {
                Thread.sleep(1000);
                long now = sent.get();
                perSecond.add(now - last);
                last = now;
            }
            long to = last;
            CpuSplit used = cpu.now().minus(cpuFrom);
            stop.set(true);
            List<Long> sorted = new ArrayList<>(perSecond);
            Collections.sort(sorted);
            System.out.printf("throughput: %.0f messages/s acknowledged (%d users, closed loop, %d s after %d s of"
                            + " warm-up; per second min %d median %d max %d)%n", (to - from) / (double) seconds,
                    users.size(), seconds, warmup, sorted.get(0), sorted.get(sorted.size() / 2),
                    sorted.get(sorted.size() - 1));
            System.out.println("throughput " + used.perMessage(to - from));
        }
    }

    static void latency(MatrixHttp http, List<User> users, int seconds, int rate, SyncFleet fleet, CpuMeter cpu)
            throws Exception {
        fleet.count("l");
        CpuSplit cpuFrom = cpu.now();
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        Map<String, Integer> members = new HashMap<>();
        users.forEach(u -> members.merge(u.roomId(), 1, Integer::sum));
        long expected = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (long i = 0; i < total; i++) {
                long due = start + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                User u = users.get((int) (i % users.size()));
                expected += members.get(u.roomId()) - 1;
                long id = i;
                pool.submit(() -> {
                    send(http, u, "l" + id, System.nanoTime());
                    return null;
                });
            }
        }
        CpuSplit used = cpu.now().minus(cpuFrom);
        // Every delivery is awaited (up to 10 s): one left out would be the slowest.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fleet.latencies.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<Long> samples = new ArrayList<>(fleet.latencies);
        Collections.sort(samples);
        if (samples.isEmpty()) {
            System.out.println("latency: no samples");
            return;
        }
        System.out.printf("latency at %d messages/s offered: send-to-sync p50 %.1f ms, p99 %.1f ms, max %.1f ms"
                        + " (%d of %d deliveries; %d limited timelines)%n", rate, samples.get(samples.size() / 2) / 1e6,
                samples.get((int) (samples.size() * 0.99)) / 1e6, samples.getLast() / 1e6, samples.size(), expected,
                fleet.limited.get());
        System.out.println("latency phase " + used.perMessage(total));
    }

    static void send(MatrixHttp http, User u, String txn, long sentAt) throws Exception {
        ObjectNode content = MatrixHttp.JSON.createObjectNode().put("msgtype", "m.text")
                .put("body", "load test message " + txn).put("sent_at_nanos", sentAt)
                .put("phase", txn.substring(0, 1));
        http.ok("PUT", "/_matrix/client/v3/rooms/" + MatrixHttp.encode(u.roomId()) + "/send/m.room.message/"
                + txn + "-" + sentAt, u.token(), content);
    }

    /**
     * Every user long-polls /sync, with a timeline limit no burst reaches (so that no message is
     * left to a gap); deliveries of others' messages of the phase being counted are timed.
     */
    static final class SyncFleet {
        private static final String FILTER = MatrixHttp.encode("{\"room\":{\"timeline\":{\"limit\":1000}}}");
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong limited = new AtomicLong();
        private volatile String counting = "";
        private final MatrixHttp http;
        private final List<User> users;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        private final Map<String, String> since = new ConcurrentHashMap<>();

        SyncFleet(MatrixHttp http, List<User> users) {
            this.http = http;
            this.users = users;
        }

        /** From now on, times the deliveries of messages of {@code phase} only. */
        void count(String phase) {
            latencies.clear();
            limited.set(0);
            counting = phase;
        }

        void start() throws Exception {
            for (User u : users) {
                JsonNode initial = http.ok("GET", "/_matrix/client/v3/sync?timeout=0", u.token(), null);
                since.put(u.userId(), initial.get("next_batch").asText());
            }
            for (User u : users) {
                pool.submit(() -> loop(u));
            }
        }

        private Void loop(User u) {
            while (!stop.get()) {
                try {
                    JsonNode body = http.ok("GET", "/_matrix/client/v3/sync?timeout=30000&filter=" + FILTER
                            + "&since=" + MatrixHttp.encode(since.get(u.userId())), u.token(), null);
                    long now = System.nanoTime();
                    since.put(u.userId(), body.get("next_batch").asText());
                    JsonNode timeline = body.path("rooms").path("join").path(u.roomId()).path("timeline");
                    if (timeline.path("limited").asBoolean(false)) {
                        limited.incrementAndGet();
                    }
                    String phase = counting;
                    for (JsonNode event : timeline.path("events")) {
                        JsonNode sentAt = event.path("content").path("sent_at_nanos");
                        if (sentAt.isNumber() && phase.equals(event.path("content").path("phase").asText())
                                && !u.userId().equals(event.path("sender").asText())) {
                            latencies.add(now - sentAt.asLong());
                        }
                    }
                } catch (Exception e) {
                    if (!stop.get()) {
                        System.err.println("sync failed for " + u.userId() + ": " + e.getMessage());
                    }
                }
            }
            return null;
        }

        void stop() throws InterruptedException {
            stop.set(true);
            pool.shutdownNow();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static long rssMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
