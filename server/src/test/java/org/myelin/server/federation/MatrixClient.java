package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real user of one test homeserver, driven through the client-server API only, with what its
 * /sync has reported so far: each room's timeline in the order received, its ephemeral events,
 * its invites and the rooms it left. Eventual consistency is awaited by syncing until a
 * condition holds or a deadline passes (never by sleeping a fixed time).
 */
final class MatrixClient {

    static final String V3 = "/_matrix/client/v3";
    static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String FILTER = enc("{\"room\":{\"timeline\":{\"limit\":200},\"include_leave\":true}}");

    final TestHomeserver hs;
    final TestUser user;
    private String since;
    final Map<String, List<JsonNode>> timelines = new LinkedHashMap<>();
    final Map<String, List<JsonNode>> ephemeral = new LinkedHashMap<>();
    final Map<String, JsonNode> invites = new LinkedHashMap<>();
    final Map<String, JsonNode> knocks = new LinkedHashMap<>();
    final Set<String> joined = new LinkedHashSet<>();
    final Set<String> left = new LinkedHashSet<>();
    /** The latest {@code m.presence} event /sync reported for each user. */
    final Map<String, JsonNode> presence = new LinkedHashMap<>();

    private MatrixClient(TestHomeserver hs, TestUser user) {
        this.hs = hs;
        this.user = user;
    }

    static MatrixClient register(TestHomeserver hs, String localpart) {
        return new MatrixClient(hs, hs.registerUser(localpart));
    }

    String userId() {
        return user.userId();
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    // ---- requests ----

    HttpResponse<String> call(String method, String path, Object body) {
        return hs.authed(user.accessToken(), method, path, body == null ? null : body.toString());
    }

    JsonNode ok(String method, String path, Object body) {
        HttpResponse<String> r = call(method, path, body);
        assertEquals(200, r.statusCode(), () -> userId() + ": " + method + " " + path + ": " + r.body());
        return TestHomeserver.json(r);
    }

    String createRoom(String body) {
        return ok("POST", V3 + "/createRoom", json(body)).path("room_id").asText();
    }

    /** Joins a room id or alias, through {@code via} if this server is not in it; returns the room id. */
    String join(String roomIdOrAlias, String... via) {
        StringBuilder path = new StringBuilder(V3 + "/join/" + enc(roomIdOrAlias));
        char sep = '?';
        for (String server : via) {
            path.append(sep).append("via=").append(enc(server));
            sep = '&';
        }
        return ok("POST", path.toString(), json("{}")).path("room_id").asText();
    }

    HttpResponse<String> tryJoin(String roomId, String... via) {
        StringBuilder path = new StringBuilder(V3 + "/join/" + enc(roomId));
        char sep = '?';
        for (String server : via) {
            path.append(sep).append("via=").append(enc(server));
            sep = '&';
        }
        return call("POST", path.toString(), json("{}"));
    }

    String send(String roomId, String body) {
        ObjectNode content = Json.MAPPER.createObjectNode().put("msgtype", "m.text").put("body", body);
        return ok("PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/" + UUID.randomUUID(), content)
                .path("event_id").asText();
    }

    String setState(String roomId, String type, String stateKey, String content) {
        return ok("PUT", V3 + "/rooms/" + enc(roomId) + "/state/" + enc(type) + "/" + enc(stateKey), json(content))
                .path("event_id").asText();
    }

    void invite(String roomId, String userId) {
        ok("POST", V3 + "/rooms/" + enc(roomId) + "/invite", json("{\"user_id\":\"" + userId + "\"}"));
    }

    void kick(String roomId, String userId) {
        ok("POST", V3 + "/rooms/" + enc(roomId) + "/kick", json("{\"user_id\":\"" + userId + "\"}"));
    }

    void ban(String roomId, String userId) {
        ok("POST", V3 + "/rooms/" + enc(roomId) + "/ban", json("{\"user_id\":\"" + userId + "\"}"));
    }

    void leave(String roomId) {
        ok("POST", V3 + "/rooms/" + enc(roomId) + "/leave", json("{}"));
    }

    /** The room's current state as this user's server has it: "type|state_key" to event id. */
    Map<String, String> roomState(String roomId) {
        Map<String, String> state = new TreeMap<>();
        for (JsonNode e : ok("GET", V3 + "/rooms/" + enc(roomId) + "/state", null)) {
            state.put(e.path("type").asText() + "|" + e.path("state_key").asText(), e.path("event_id").asText());
        }
        return state;
    }

    /** One state event's content as this user's server has it, or null. */
    JsonNode stateContent(String roomId, String type, String stateKey) {
        HttpResponse<String> r = call("GET", V3 + "/rooms/" + enc(roomId) + "/state/" + enc(type) + "/"
                + enc(stateKey), null);
        return r.statusCode() == 200 ? TestHomeserver.json(r) : null;
    }

    // ---- sync ----

    /** One /sync, long-polling up to {@code timeoutMs}; what it reports is added to what is known. */
    void sync(long timeoutMs) {
        String path = V3 + "/sync?timeout=" + timeoutMs + "&filter=" + FILTER
                + (since == null ? "" : "&since=" + enc(since));
        JsonNode body = ok("GET", path, null);
        since = body.path("next_batch").asText();
        body.path("presence").path("events").forEach(e -> presence.put(e.path("sender").asText(), e.path("content")));
        JsonNode rooms = body.path("rooms");
        rooms.path("join").properties().forEach(room -> {
            joined.add(room.getKey());
            left.remove(room.getKey());
            invites.remove(room.getKey());
            knocks.remove(room.getKey());
            addEvents(timelines, room.getKey(), room.getValue().path("timeline").path("events"));
            addEvents(ephemeral, room.getKey(), room.getValue().path("ephemeral").path("events"));
        });
        rooms.path("invite").properties().forEach(room -> invites.put(room.getKey(),
                room.getValue().path("invite_state").path("events")));
        rooms.path("knock").properties().forEach(room -> knocks.put(room.getKey(),
                room.getValue().path("knock_state").path("events")));
        rooms.path("leave").properties().forEach(room -> {
            left.add(room.getKey());
            joined.remove(room.getKey());
            invites.remove(room.getKey());
            knocks.remove(room.getKey());
            addEvents(timelines, room.getKey(), room.getValue().path("timeline").path("events"));
        });
    }

    private static void addEvents(Map<String, List<JsonNode>> into, String roomId, JsonNode events) {
        List<JsonNode> list = into.computeIfAbsent(roomId, r -> new ArrayList<>());
        for (JsonNode e : events) {
            String id = e.path("event_id").asText(null);
            if (id == null || list.stream().noneMatch(x -> id.equals(x.path("event_id").asText(null)))) {
                list.add(e);
            }
        }
    }

    /** Syncs until {@code condition} holds; fails with {@code what} once the deadline passes. */
    void awaitSync(String what, Predicate<MatrixClient> condition) {
        Instant deadline = Instant.now().plus(DEADLINE);
        sync(0);
        while (!condition.test(this)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(userId() + " on " + hs.serverName() + " never saw: " + what
                        + " (timelines: " + bodiesByRoom() + ")");
            }
            sync(500);
        }
    }

    /** The bodies of the messages of the room's timeline, in the order /sync gave them. */
    List<String> bodies(String roomId) {
        List<String> bodies = new ArrayList<>();
        for (JsonNode e : timelines.getOrDefault(roomId, List.of())) {
            if ("m.room.message".equals(e.path("type").asText())) {
                bodies.add(e.path("content").path("body").asText());
            }
        }
        return bodies;
    }

    /** Whether the room's timeline holds a membership event of {@code userId} with {@code membership}. */
    boolean sawMembership(String roomId, String userId, String membership) {
        return timelines.getOrDefault(roomId, List.of()).stream().anyMatch(e -> "m.room.member".equals(
                e.path("type").asText()) && userId.equals(e.path("state_key").asText())
                && membership.equals(e.path("content").path("membership").asText()));
    }

    private Map<String, List<String>> bodiesByRoom() {
        Map<String, List<String>> all = new LinkedHashMap<>();
        timelines.keySet().forEach(r -> all.put(r, bodies(r)));
        return all;
    }
}
