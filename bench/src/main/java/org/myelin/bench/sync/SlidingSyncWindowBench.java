package org.myelin.bench.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.bench.ProcStats;
import org.myelin.bench.e2ee.Diagnosis;
import org.myelin.bench.e2ee.HttpPool;
import org.myelin.bench.e2ee.KeysServers;
import org.myelin.bench.e2ee.Latencies;
import org.myelin.bench.federation.Report;
import org.myelin.bench.load.Http1Connection;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The first sliding sync window (MSC4186) of a user in many rooms: what a client such as Element X
 * asks when it starts, a list of the user's rooms cut to its 20 newest (by bump stamp), with ten
 * events each, the state a room list shows and the extensions it enables. For each room count
 * (default 200 and 2,000) one user is put in that many rooms, in one server, and asks for that
 * first window again and again on a fresh connection, right after its rooms were made (the rooms'
 * recent events in memory) and again after a restart (read from the store); the time must not
 * grow with the room count, since the window holds 20 rooms however many there are. Then the next
 * request after one new message in a room out of the window, which moves it into the window.
 *
 * <p>Run from the repository root:
 * <pre>{@code
 * ./myelin build && mvn -B -q -DskipTests package -pl bench -am
 * java -cp bench/target/benchmarks.jar org.myelin.bench.sync.SlidingSyncWindowBench
 * }</pre>
 * System properties: {@code rooms=200,2000} (room counts), {@code members=5} (per room, the user
 * included), {@code invite=true} (false: public rooms the others join without an invite, half the
 * events to seed), {@code samples=30}, {@code warmup=3}, {@code window=20}, {@code pool=10},
 * {@code logLevel=WARN}; {@code diagnose=true} adds ten windows per room count, untimed, with a JFR
 * recording and every database statement logged.
 */
public final class SlidingSyncWindowBench {

    static final String PATH = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";
    /** The state a room list shows (Element X asks for about this much). */
    private static final List<List<String>> REQUIRED_STATE = List.of(List.of("m.room.create", ""),
            List.of("m.room.name", ""), List.of("m.room.avatar", ""), List.of("m.room.topic", ""),
            List.of("m.room.canonical_alias", ""), List.of("m.room.encryption", ""), List.of("m.room.join_rules", ""),
            List.of("m.room.power_levels", ""), List.of("m.room.tombstone", ""), List.of("m.room.member", "$ME"),
            List.of("m.room.member", "$LAZY"));

    private SlidingSyncWindowBench() {
    }

    public static void main(String[] args) throws Exception {
        int[] counts = Arrays.stream(System.getProperty("rooms", "200,2000").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int members = Integer.getInteger("members", 5);
        int samples = Integer.getInteger("samples", 30);
        int warmup = Integer.getInteger("warmup", 3);
        int window = Integer.getInteger("window", 20);
        int pool = Integer.getInteger("pool", 10);
        boolean invite = Boolean.parseBoolean(System.getProperty("invite", "true"));
        KeysServers.logLevel(System.getProperty("logLevel", "WARN"));
        Report report = new Report();
        report.info("SlidingSyncWindowBench rooms=%s members=%d samples=%d warmup=%d window=%d at %s; %d cores; "
                + "load average %s", Arrays.toString(counts), members, samples, warmup, window, Instant.now(),
                Runtime.getRuntime().availableProcessors(), ProcStats.loadAverage());
        try (TestHomeserver hs = TestHomeserver.builder()
                .configure(c -> c.withDatabase(new HomeserverConfig.Database(c.database().url(), c.database().user(),
                        c.database().password(), pool)))
                .start()) {
            HttpPool http = new HttpPool("127.0.0.1", hs.clientPort());
            List<RoomsOfOneUser> users = new ArrayList<>();
            for (int count : counts) {
                long t0 = System.nanoTime();
                RoomsOfOneUser user = RoomsOfOneUser.seed(hs, report, "ss" + count, count, members, invite);
                users.add(user);
                report.info("a user in %d rooms of %d members each (%s), one message per room: seeded in %.0f s; "
                        + "load average %s", count, members, invite ? "invited" : "public", (System.nanoTime() - t0) / 1e9,
                        ProcStats.loadAverage());
                measure(report, "warm", http, user, count, new Sampling(samples, warmup, window));
            }
            // The same windows from the store: a restart empties every cache (the rooms' recent
            // events and states among them), as for the first clients after an upgrade.
            hs.restart();
            report.info("restarted; load average %s", ProcStats.loadAverage());
            for (int i = 0; i < counts.length; i++) {
                measure(report, "after_restart", http, users.get(i), counts[i], new Sampling(samples, warmup, window));
            }
            http.close();
        }
        report.summary();
        System.exit(0); // the embedded PostgreSQL's shutdown hook stops it
    }

    /** How many requests to time, after how many untimed ones, over a window of how many rooms. */
    private record Sampling(int samples, int warmup, int window) {
    }

    private static void measure(Report report, String when, HttpPool http, RoomsOfOneUser user, int count,
                                Sampling sampling) {
        int samples = sampling.samples();
        int window = sampling.window();
        byte[] body = body(window);
        long t0 = System.nanoTime();
        JsonNode cold = check(request(http, user, null, body), count, window);
        double coldMs = (System.nanoTime() - t0) / 1e6;
        for (int i = 1; i < sampling.warmup(); i++) {
            check(request(http, user, null, body), count, window);
        }
        List<Double> first = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            Http1Connection.Response r = request(http, user, null, body);
            first.add((System.nanoTime() - start) / 1e6);
            bytes = r.body().length;
            check(r, count, window);
        }
        report.result(when + ".first_window." + count + "_rooms", Latencies.of(first).toString(),
                String.format("(cold: %.1f ms; %.0f kB; %d of %d rooms)", coldMs, bytes / 1e3,
                        cold.path("rooms").size(), count));
        if (Diagnosis.wanted()) {
            Diagnosis.of(report, when + " first window of " + count + " rooms, 10 more", () -> {
                for (int i = 0; i < 10; i++) {
                    check(request(http, user, null, body), count, window);
                }
            });
        }

        // The next request after a message in a room out of the window, which brings it to the top.
        List<Double> next = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            JsonNode start = check(request(http, user, null, body), count, window);
            String pos = start.path("pos").asText();
            String outside = user.rooms.get((i * 7919) % count);
            RoomsOfOneUser.send(http, user.user, outside, "bump " + i);
            long s = System.nanoTime();
            Http1Connection.Response r = request(http, user, pos, body);
            next.add((System.nanoTime() - s) / 1e6);
            JsonNode answer = HttpPool.parse(r.body());
            if (r.status() != 200 || !answer.path("rooms").has(outside)
                    || !outside.equals(answer.path("lists").path("all").path("ops").path(0).path("room_ids").path(0)
                    .asText())) {
                throw new IllegalStateException("the bumped room is not on top of the next response: " + answer);
            }
        }
        report.result(when + ".next_after_message." + count + "_rooms", Latencies.of(next).toString(), "");
    }

    private static Http1Connection.Response request(HttpPool http, RoomsOfOneUser user, String pos, byte[] body) {
        String path = PATH + "?timeout=0" + (pos == null ? "" : "&pos=" + HttpPool.enc(pos));
        return http.exchange("POST", path, user.user.token(), body);
    }

    /** The answer, once its list counts every room and its window holds {@code window} rooms, newest first. */
    static JsonNode check(Http1Connection.Response r, int count, int window) {
        JsonNode answer = HttpPool.parse(r.body());
        JsonNode list = answer.path("lists").path("all");
        JsonNode ids = list.path("ops").path(0).path("room_ids");
        if (r.status() != 200 || list.path("count").asInt() != count || ids.size() != Math.min(window, count)
                || answer.path("rooms").size() != ids.size()) {
            throw new IllegalStateException("unexpected answer " + r.status() + ": count "
                    + list.path("count") + ", " + ids.size() + " in the window, " + answer.path("rooms").size() + " rooms");
        }
        long previous = Long.MAX_VALUE;
        for (JsonNode id : ids) {
            long bump = answer.path("rooms").path(id.asText()).path("bump_stamp").asLong();
            if (bump > previous) {
                throw new IllegalStateException("the window is not in bump stamp order: " + ids);
            }
            previous = bump;
        }
        return answer;
    }

    /** Element X's first request: one list of the {@code window} newest rooms, with the state a room list shows. */
    static byte[] body(int window) {
        ObjectNode body = HttpPool.JSON.createObjectNode();
        ObjectNode list = body.putObject("lists").putObject("all");
        list.putArray("ranges").addArray().add(0).add(window - 1);
        list.put("timeline_limit", 10);
        ArrayNode state = list.putArray("required_state");
        REQUIRED_STATE.forEach(pair -> state.addArray().add(pair.get(0)).add(pair.get(1)));
        list.putObject("filters").putArray("not_room_types").add("m.space");
        ObjectNode extensions = body.putObject("extensions");
        for (String name : List.of("to_device", "e2ee", "account_data", "receipts", "typing")) {
            extensions.putObject(name).put("enabled", true);
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }
}
