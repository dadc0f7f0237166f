package org.myelin.bench.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.bench.load.Http1Connection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One device long-polling {@code /sync} (rooms, presence and account data filtered out) and
 * noting every benchmark to-device message it receives, in the order received: when, its id, its
 * sender and type, and which of its sender's requests it came in.
 */
final class DeviceInbox {

    /** A to-device message as received: {@code round} is the sender's request count, the order it was sent in. */
    record Arrival(long nanos, String id, String sender, String type, boolean warmup, int put, int round) {
    }

    private static final String FILTER = HttpPool.enc("{\"room\":{\"rooms\":[]},\"presence\":{\"not_types\":[\"*\"]},"
            + "\"account_data\":{\"not_types\":[\"*\"]}}");
    private static final int SYNC_TIMEOUT_MS = 10_000;

    final Device device;
    private final HttpPool http;
    private final AtomicInteger measured;
    private final AtomicInteger warmups;
    private final List<Arrival> arrivals = new ArrayList<>();
    private volatile boolean running = true;
    private volatile String failure;

    /** @param measured, warmups counters of the measured and warm-up messages received, shared by all inboxes */
    DeviceInbox(Device device, HttpPool http, AtomicInteger measured, AtomicInteger warmups) {
        this.device = device;
        this.http = http;
        this.measured = measured;
        this.warmups = warmups;
    }

    /** Syncs once without waiting (the starting token), then long-polls on a virtual thread. */
    void start() {
        String since = http.ok("GET", HttpPool.V3 + "/sync?timeout=0&filter=" + FILTER, device.token, null)
                .path("next_batch").asText();
        Thread.ofVirtual().name("inbox-" + device.deviceId).start(() -> loop(since));
    }

    private void loop(String initial) {
        String since = initial;
        while (running) {
            Http1Connection.Response r;
            try {
                r = http.exchange("GET", HttpPool.V3 + "/sync?timeout=" + SYNC_TIMEOUT_MS + "&filter=" + FILTER
                        + "&since=" + HttpPool.enc(since), device.token, null);
            } catch (RuntimeException e) {
                if (running) {
                    failure = e.toString();
                }
                return;
            }
            long now = System.nanoTime();
            if (r.status() != 200) {
                failure = "/sync -> " + r.status() + " " + new String(r.body());
                return;
            }
            JsonNode body = HttpPool.parse(r.body());
            since = body.path("next_batch").asText(since);
            List<Arrival> got = new ArrayList<>();
            for (JsonNode event : body.path("to_device").path("events")) {
                JsonNode bench = event.path("content").path("bench");
                if (bench.isObject()) {
                    got.add(new Arrival(now, bench.path("id").asText(), event.path("sender").asText(),
                            event.path("type").asText(), bench.path("warmup").asBoolean(), bench.path("put").asInt(),
                            bench.path("round").asInt()));
                }
            }
            synchronized (arrivals) {
                arrivals.addAll(got);
            }
            for (Arrival a : got) {
                (a.warmup() ? warmups : measured).incrementAndGet();
            }
        }
    }

    /** The measured (not warm-up) messages received so far, in order. */
    List<Arrival> measured() {
        synchronized (arrivals) {
            return arrivals.stream().filter(a -> !a.warmup()).toList();
        }
    }

    /** Why the long poll stopped, or null while it runs. */
    String failure() {
        return failure;
    }

    void stop() {
        running = false;
    }
}
