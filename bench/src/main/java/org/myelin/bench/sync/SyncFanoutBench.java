package org.myelin.bench.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.bench.ProcStats;
import org.myelin.bench.federation.Report;
import org.myelin.bench.load.MatrixHttp;
import org.myelin.server.testing.TestHomeserver;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Incremental {@code /sync} of many users at once while messages arrive: {@code users} users, each
 * in {@code roomsPerUser} rooms of {@code members} members, every user long-polling {@code /sync}
 * (one virtual thread and one keep-alive HTTP/1.1 connection each; the JVM's carrier threads are
 * as many as its cores), while messages are sent at {@code rate} per second, each by a member of
 * a room drawn at random. With {@code mode=sliding} every user long-polls sliding sync (MSC4186,
 * {@code POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync}) instead, with one list
 * of all its rooms, no required state and a timeline limit of {@code timelineLimit}, from the
 * {@code pos} of its previous answer. Every delivery of a message to another member's {@code /sync} is timed
 * from just before its send; the percentiles are over all deliveries of the timed phase, each one
 * awaited (a delivery left out would be the slowest).
 *
 * <p>Myelin runs in this JVM ({@link TestHomeserver}: cheap password hashing, no rate limits, its
 * own embedded PostgreSQL); users register through the client-server API, rooms and memberships
 * are made through the services it calls ({@link BulkRooms}). Run from the repository root:
 * <pre>{@code
 * mvn -B -q -o -DskipTests package -pl bench -am
 * java @config/jvm.options -XX:+UseCompactObjectHeaders -Xmx1g -cp bench/target/benchmarks.jar org.myelin.bench.sync.SyncFanoutBench
 * }</pre>
 * The server's JVM options, with a bigger heap: the 1,000 clients live in the same JVM (with the
 * server's 256 MiB the JVM runs out of memory while the users make their first syncs).
 * Options (system properties): {@code users=1000 roomsPerUser=50 members=10 rate=200 warmupSeconds=15
 * seconds=30 seeders=8 mode=sync|sliding timelineLimit=10}. Besides the percentiles it reports the
 * JVM's CPU time (server and clients) per message sent and per delivery while sending.
 */
public final class SyncFanoutBench {

    private static final String V3 = "/_matrix/client/v3";
    private static final String FILTER = MatrixHttp.encode("{\"room\":{\"timeline\":{\"limit\":100}}}");
    private static final String SLIDING = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";

    private SyncFanoutBench() {
    }

    record Room(String roomId, List<Integer> members) {
    }

    public static void main(String[] args) throws Exception {
        int users = Integer.getInteger("users", 1000);
        int roomsPerUser = Integer.getInteger("roomsPerUser", 50);
        int members = Integer.getInteger("members", 10);
        int rate = Integer.getInteger("rate", 200);
        int warmupSeconds = Integer.getInteger("warmupSeconds", 15);
        int seconds = Integer.getInteger("seconds", 30);
        int seeders = Integer.getInteger("seeders", 8);
        int roomCount = users * roomsPerUser / members;
        Report report = new Report();
        String mode = System.getProperty("mode", "sync");
        int timelineLimit = Integer.getInteger("timelineLimit", 10);
        if (!mode.equals("sync") && !mode.equals("sliding")) {
            throw new IllegalArgumentException("mode is sync or sliding");
        }
        report.info("SyncFanoutBench mode=%s users=%d roomsPerUser=%d members=%d (%d rooms) rate=%d/s at %s; %d cores;"
                        + " load average %s; %s", mode, users, roomsPerUser, members, roomCount, rate, Instant.now(),
                Runtime.getRuntime().availableProcessors(), ProcStats.loadAverage(), Runtime.version());
        try (TestHomeserver hs = TestHomeserver.builder().start()) {
            MatrixHttp http = new MatrixHttp("http://127.0.0.1:" + hs.clientPort());
            long t0 = System.nanoTime();
            String[] tokens = new String[users];
            String[] ids = new String[users];
            List<BulkRooms.Member> accounts = BulkRooms.register(http, "fan", users);
            for (int i = 0; i < users; i++) {
                ids[i] = accounts.get(i).userId();
                tokens[i] = accounts.get(i).accessToken();
            }
            report.info("%d users registered in %.1f s", users, (System.nanoTime() - t0) / 1e9);
            // Each block of users/members rooms covers every user once, shifted by the block's number,
            // so that each user is in roomsPerUser rooms and the rooms' member sets differ.
            int perBlock = users / members;
            Room[] rooms = new Room[roomCount];
            // Through the services the client API calls, many rooms at a time (BulkRooms): over HTTP,
            // 45,000 joins took a quarter of an hour.
            BulkRooms bulk = new BulkRooms(hs, BulkRooms.PARALLEL);
            SeedProgress progress = new SeedProgress(report, (long) roomCount * (members - 1));
            List<List<Integer>> in = new ArrayList<>();
            for (int r = 0; r < roomCount; r++) {
                int block = r / perBlock;
                List<Integer> these = new ArrayList<>();
                for (int j = 0; j < members; j++) {
                    these.add(((r % perBlock) * members + j + block) % users);
                }
                in.add(these);
            }
            long t1 = System.nanoTime();
            List<String> made = bulk.make(roomCount, r -> new BulkRooms.Room(accounts.get(in.get(r).getFirst()),
                    "public_chat", null, List.of(), in.get(r).subList(1, members).stream().map(accounts::get).toList()),
                    progress::joined);
            for (int r = 0; r < roomCount; r++) {
                rooms[r] = new Room(made.get(r), in.get(r));
            }
            report.info("%d rooms made and %d joins in %.1f s", roomCount, bulk.joins(), (System.nanoTime() - t1) / 1e9);

            Fleet fleet = mode.equals("sliding") ? new SlidingFleet(http, ids, tokens, roomsPerUser, timelineLimit)
                    : new Fleet(http, ids, tokens);
            long t2 = System.nanoTime();
            fleet.start(seeders);
            report.info("%d initial %s syncs in %.1f s; every user long-polling", users, mode,
                    (System.nanoTime() - t2) / 1e9);

            send(http, rooms, tokens, rate, warmupSeconds, "w", fleet);
            long cpuFrom = ProcStats.processTicks(ProcessHandle.current().pid(), false);
            long expected = send(http, rooms, tokens, rate, seconds, "t", fleet);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (fleet.latencies.size() < expected && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            double jvmSeconds = (ProcStats.processTicks(ProcessHandle.current().pid(), false) - cpuFrom)
                    / ProcStats.TICKS_PER_SECOND;
            List<Long> samples = new ArrayList<>(fleet.latencies);
            long responses = fleet.responses.get();
            fleet.stop();
            Collections.sort(samples);
            if (samples.isEmpty()) {
                throw new IllegalStateException("no deliveries");
            }
            report.info("this JVM (server and clients) used %.2f cores while sending; %d limited timelines; %d sync errors",
                    jvmSeconds / seconds, fleet.limited.get(), fleet.errors.get());
            report.result("JVM CPU per message", String.format("%.2f ms", jvmSeconds * 1e3 / ((long) rate * seconds)),
                    "server and clients, while sending (and until the last delivery)");
            report.result("JVM CPU per delivery", String.format("%.3f ms", jvmSeconds * 1e3 / samples.size()),
                    String.format("%d responses with news while timed, %.2f deliveries each", responses,
                            (double) samples.size() / Math.max(1, responses)));
            report.result("send-to-sync p50", String.format("%.1f ms", pct(samples, 0.50)),
                    String.format("[target <= 10 ms: %s]", pct(samples, 0.50) <= 10 ? "met" : "MISSED"));
            report.result("send-to-sync p99", String.format("%.1f ms", pct(samples, 0.99)),
                    String.format("[target <= 50 ms: %s]", pct(samples, 0.99) <= 50 ? "met" : "MISSED"));
            report.result("send-to-sync max", String.format("%.1f ms", samples.getLast() / 1e6),
                    String.format("%d of %d deliveries at %d msg/s for %d s", samples.size(), expected, rate, seconds));
            report.summary();
        }
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p))) / 1e6;
    }

    /** Sends {@code rate} messages a second for {@code seconds}, timed as phase {@code phase}; the deliveries expected. */
    private static long send(MatrixHttp http, Room[] rooms, String[] tokens, int rate, int seconds, String phase,
                             Fleet fleet) throws Exception {
        fleet.count(phase);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        long expected = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (long i = 0; i < total; i++) {
                long wait = start + i * interval - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                Room room = rooms[ThreadLocalRandom.current().nextInt(rooms.length)];
                int sender = room.members().get(ThreadLocalRandom.current().nextInt(room.members().size()));
                expected += room.members().size() - 1;
                long id = i;
                pool.submit(() -> {
                    long sentAt = System.nanoTime();
                    ObjectNode content = MatrixHttp.JSON.createObjectNode().put("msgtype", "m.text")
                            .put("body", "fan-out " + phase + id).put("sent_at_nanos", sentAt).put("phase", phase);
                    http.ok("PUT", V3 + "/rooms/" + MatrixHttp.encode(room.roomId()) + "/send/m.room.message/"
                            + phase + id, tokens[sender], content);
                    return null;
                });
            }
        }
        return expected;
    }

    interface Step {
        void run(int i) throws Exception;
    }

    private static void inParallel(int threads, int count, Step step) throws Exception {
        Semaphore slots = new Semaphore(threads);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                slots.acquire();
                done.add(pool.submit(() -> {
                    try {
                        step.run(n);
                    } finally {
                        slots.release();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    /** Every user long-polling /sync on its own virtual thread and connection. */
    static class Fleet {
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong limited = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        /** Answers with a timed delivery, in the phase counted. */
        final AtomicLong responses = new AtomicLong();
        private volatile String counting = "";
        final MatrixHttp http;
        final String[] ids;
        final String[] tokens;
        final String[] since;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

        Fleet(MatrixHttp http, String[] ids, String[] tokens) {
            this.http = http;
            this.ids = ids;
            this.tokens = tokens;
            this.since = new String[ids.length];
        }

        void count(String phase) {
            latencies.clear();
            responses.set(0);
            counting = phase;
        }

        void start(int seeders) throws Exception {
            inParallel(seeders, ids.length, i -> since[i] = first(i));
            for (int i = 0; i < ids.length; i++) {
                int user = i;
                pool.submit(() -> loop(user));
            }
        }

        /** The user's first (initial) sync; the token to continue from. */
        String first(int user) throws Exception {
            return http.ok("GET", V3 + "/sync?timeout=0&filter=" + FILTER, tokens[user], null).get("next_batch").asText();
        }

        /** One long poll of the user's from its token: the answer, whose timed events are counted. */
        JsonNode poll(int user) throws Exception {
            JsonNode body = http.ok("GET", V3 + "/sync?timeout=30000&filter=" + FILTER + "&since="
                    + MatrixHttp.encode(since[user]), tokens[user], null);
            since[user] = body.get("next_batch").asText();
            return body;
        }

        /** The timelines of the rooms in an answer: each with its events and whether it is limited. */
        void timelines(JsonNode body, java.util.function.BiConsumer<JsonNode, Boolean> timeline) {
            for (JsonNode room : body.path("rooms").path("join")) {
                JsonNode t = room.path("timeline");
                timeline.accept(t.path("events"), t.path("limited").asBoolean(false));
            }
        }

        private Void loop(int user) {
            while (!stop.get()) {
                try {
                    JsonNode body = poll(user);
                    long now = System.nanoTime();
                    String phase = counting;
                    int before = latencies.size();
                    timelines(body, (events, isLimited) -> {
                        if (isLimited) {
                            limited.incrementAndGet();
                        }
                        for (JsonNode event : events) {
                            JsonNode sentAt = event.path("content").path("sent_at_nanos");
                            if (sentAt.isNumber() && phase.equals(event.path("content").path("phase").asText())
                                    && !ids[user].equals(event.path("sender").asText())) {
                                latencies.add(now - sentAt.asLong());
                            }
                        }
                    });
                    if (latencies.size() > before) {
                        responses.incrementAndGet();
                    }
                } catch (Exception e) {
                    if (!stop.get() && errors.incrementAndGet() <= 5) {
                        System.err.println("sync failed for " + ids[user] + ": " + e.getMessage());
                    }
                }
            }
            return null;
        }

        void stop() {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    /**
     * Every user long-polling sliding sync (MSC4186) on its own virtual thread and connection: one
     * list of all its rooms, no required state, {@code timelineLimit} events; each request from the
     * previous answer's {@code pos}. A room with more new events than the limit comes
     * {@code limited} (its earlier new events are not delivered and counted missing).
     */
    static final class SlidingFleet extends Fleet {
        private final ObjectNode body;

        SlidingFleet(MatrixHttp http, String[] ids, String[] tokens, int rooms, int timelineLimit) {
            super(http, ids, tokens);
            body = MatrixHttp.JSON.createObjectNode();
            ObjectNode all = body.putObject("lists").putObject("all");
            all.putArray("ranges").addArray().add(0).add(rooms - 1);
            all.putArray("required_state");
            all.put("timeline_limit", timelineLimit);
        }

        @Override
        String first(int user) throws Exception {
            return http.ok("POST", SLIDING + "?timeout=0", tokens[user], body).get("pos").asText();
        }

        @Override
        JsonNode poll(int user) throws Exception {
            JsonNode answer = http.ok("POST", SLIDING + "?timeout=30000&pos=" + MatrixHttp.encode(since[user]),
                    tokens[user], body);
            since[user] = answer.get("pos").asText();
            return answer;
        }

        @Override
        void timelines(JsonNode answer, java.util.function.BiConsumer<JsonNode, Boolean> timeline) {
            for (JsonNode room : answer.path("rooms")) {
                if (room.has("timeline")) {
                    timeline.accept(room.path("timeline"), room.path("limited").asBoolean(false));
                }
            }
        }
    }
}
