package org.myelin.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/** The {@code metrics} listener: what a Prometheus scraper sees, and nothing when it is off. */
class MetricsIT {

    @Test
    void aMetricsListenerServesPrometheusTextWithRequestsEventsPoolAndJvm() throws Exception {
        int metricsPort = TestHomeserver.freePort();
        try (TestHomeserver hs = TestHomeserver.builder().configure(c -> c.withListeners(withMetrics(c, metricsPort)))
                .start()) {
            TestUser alice = hs.registerUser("alice");
            String roomId = hs.expect(200, alice, "POST", "/_matrix/client/v3/createRoom", "{}").path("room_id").asText();
            hs.expect(200, alice, "PUT", "/_matrix/client/v3/rooms/" + TestHomeserver.enc(roomId)
                    + "/send/m.room.message/txn1", "{\"msgtype\":\"m.text\",\"body\":\"hello\"}");
            hs.expect(200, alice, "GET", "/_matrix/client/v3/sync?timeout=0", null);
            // A request its endpoint refuses, and one no route takes.
            hs.expect(404, alice, "PUT", "/_matrix/client/v3/rooms/" + TestHomeserver.enc("!nowhere:elsewhere")
                    + "/send/m.room.message/txn2", "{\"msgtype\":\"m.text\",\"body\":\"no\"}");
            assertEquals(404, hs.get("/_matrix/client/v3/no/such/endpoint/" + roomId).statusCode());

            for (String path : List.of("/metrics", "/_synapse/metrics")) {
                HttpResponse<String> r = hs.http().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + metricsPort + path)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), path);
                assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
                String text = r.body();
                // The route's template, never the raw path with the room id; a refused request still
                // under its endpoint's route, one no route took under "unrouted".
                String send = "route=\"/_matrix/client/v3/rooms/:roomId/send/:eventType/:txnId\"";
                assertEquals(1, count(text, "myelin_http_server_requests_seconds_count", "code=\"200\"", "method=\"PUT\"", send), text);
                assertEquals(1, count(text, "myelin_http_server_requests_seconds_count", "code=\"404\"", "method=\"PUT\"", send), text);
                assertEquals(1, count(text, "myelin_http_server_requests_seconds_count", "code=\"404\"", "method=\"GET\"",
                        "route=\"unrouted\""), text);
                assertTrue(text.contains("myelin_http_server_requests_seconds_bucket{"), text);
                assertFalse(text.contains(roomId), "a raw room id in a label");
                assertTrue(sum(text, "myelin_events_persisted_total") >= 1, text);
                assertTrue(text.contains("myelin_events_persist_batch_seconds_count"), text);
                assertTrue(text.contains("hikaricp_connections_active{"), text);
                assertTrue(text.contains("jvm_memory_used_bytes{"), text);
                assertTrue(text.contains("jvm_gc_"), text);
                assertTrue(text.contains("jvm_threads_live_threads"), text);
                assertTrue(text.contains("myelin_sync_long_polls"), text);
                assertTrue(text.contains("cache_size{cache=\"events\""), text);
                assertTrue(text.contains("cache_gets_total{cache=\"events\""), text);
                assertTrue(text.contains("myelin_federation_outbound_intake"), text);
            }
            // The client listener does not serve them.
            assertEquals(404, hs.get("/metrics").statusCode());
            assertEquals(404, hs.get("/_synapse/metrics").statusCode());
            assertEquals(200, hs.get("/health").statusCode());
        }
    }

    @Test
    void everyCacheIsReportedUnderItsNameWithItsSizeAndHitsAndMisses() throws Exception {
        int metricsPort = TestHomeserver.freePort();
        try (TestHomeserver hs = TestHomeserver.builder().configure(c -> c.withListeners(withMetrics(c, metricsPort)))
                .start()) {
            TestUser alice = hs.registerUser("alice");
            String roomId = hs.expect(200, alice, "POST", "/_matrix/client/v3/createRoom", "{}").path("room_id").asText();
            hs.expect(200, alice, "PUT", "/_matrix/client/v3/rooms/" + TestHomeserver.enc(roomId)
                    + "/send/m.room.message/txn1", "{\"msgtype\":\"m.text\",\"body\":\"hello\"}");
            hs.expect(200, alice, "GET", "/_matrix/client/v3/sync?timeout=0", null);
            hs.expect(200, alice, "GET", "/_matrix/client/v3/sync?timeout=0", null);

            String text = hs.http().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            for (String cache : List.of("access_tokens", "admin_rate_limits", "admin_user_flags", "client_transaction_origins",
                    "client_transactions", "device_keys", "event_signatures", "events", "filters", "hierarchy_pages",
                    "ignored_users", "inline_filters", "joined_servers", "lazy_loaded_members", "notification_counts",
                    "notification_room_facts", "one_time_key_counts", "push_room_facts", "push_rules", "read_positions",
                    "recent_timelines", "redaction_targets", "relation_parents", "remote_hierarchies", "replaced_event_ids",
                    "room_summaries", "room_upgrades", "sliding_connections", "sliding_direct_rooms", "sliding_room_traits",
                    "snapshots_before", "state_snapshots", "thread_notification_counts", "thumbnail_sources",
                    "to_device_acknowledged", "unconflicted_auth_chains", "url_previews", "user_memberships")) {
                assertTrue(text.contains("cache_size{cache=\"" + cache + "\""), cache + " has a size");
                assertTrue(text.contains("cache_gets_total{cache=\"" + cache + "\",result=\"hit\""), cache + " counts its hits");
            }
            // Every request after registration found alice's token in memory; the second sync found
            // the room's recent timeline that the first had read.
            assertTrue(sample(text, "cache_gets_total{cache=\"access_tokens\",result=\"hit\"}") >= 3, text);
            assertTrue(sample(text, "cache_gets_total{cache=\"recent_timelines\",result=\"hit\"}") >= 1, text);
            assertTrue(sample(text, "cache_size{cache=\"recent_timelines\"}") >= 1, text);
            assertTrue(sample(text, "cache_weight{cache=\"events\"}") > 1000, "the events' estimated bytes");
        }
    }

    @Test
    void metricsAreOffByDefault() throws Exception {
        try (TestHomeserver hs = TestHomeserver.start()) {
            assertFalse(hs.homeserver().config().listeners().stream()
                    .anyMatch(l -> l.resources().contains(Resource.METRICS)));
            assertEquals(404, hs.get("/metrics").statusCode());
            assertEquals(404, hs.get("/_synapse/metrics").statusCode());
            assertEquals(200, hs.get("/health").statusCode());
        }
    }

    private static List<HomeserverConfig.Listener> withMetrics(HomeserverConfig c, int port) {
        List<HomeserverConfig.Listener> listeners = new ArrayList<>(c.listeners());
        listeners.add(new HomeserverConfig.Listener(port, "127.0.0.1", null, List.of(Resource.METRICS)));
        return listeners;
    }

    /** The value of {@code name}'s sample whose labels include every one of {@code labels}; 0 if none. */
    private static double count(String text, String name, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} ([0-9.eE+-]+)$").matcher(text);
        while (m.find()) {
            String found = m.group(1);
            if (java.util.Arrays.stream(labels).allMatch(found::contains)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }

    /** The value of one sample, named with all its labels in the order Prometheus writes them. */
    private static double sample(String text, String nameAndLabels) {
        for (String line : text.split("\n")) {
            if (line.startsWith(nameAndLabels + " ")) {
                return Double.parseDouble(line.substring(nameAndLabels.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    /** The sum of a counter's samples, over all its labels. */
    private static double sum(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(2));
        }
        return total;
    }
}
