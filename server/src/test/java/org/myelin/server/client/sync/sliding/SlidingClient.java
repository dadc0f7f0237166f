package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A client for the sliding sync tests: room calls and sliding sync requests, each asserting its status. */
final class SlidingClient {

    static final String V3 = "/_matrix/client/v3";
    static final String SLIDING = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";
    private static final AtomicLong TXN = new AtomicLong();

    private final TestHomeserver hs;

    SlidingClient(TestHomeserver hs) {
        this.hs = hs;
    }

    static String enc(String value) {
        return TestHomeserver.enc(value);
    }

    static ObjectNode obj() {
        return Json.MAPPER.createObjectNode();
    }

    static ObjectNode obj(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String room(String roomId) {
        return V3 + "/rooms/" + enc(roomId);
    }

    JsonNode ok(TestUser user, String method, String path, Object body) {
        HttpResponse<String> r = hs.authed(user.accessToken(), method, path, body == null ? null : body.toString());
        assertEquals(200, r.statusCode(), () -> method + " " + path + ": " + r.body());
        return TestHomeserver.json(r);
    }

    HttpResponse<String> call(TestUser user, String method, String path, Object body) {
        return hs.authed(user.accessToken(), method, path, body == null ? null : body.toString());
    }

    // ---- rooms ----

    String createRoom(TestUser user, String body) {
        return ok(user, "POST", V3 + "/createRoom", obj(body)).path("room_id").asText();
    }

    String send(TestUser user, String roomId, String body) {
        return ok(user, "PUT", room(roomId) + "/send/m.room.message/t" + TXN.incrementAndGet(),
                obj().put("msgtype", "m.text").put("body", body)).path("event_id").asText();
    }

    String state(TestUser user, String roomId, String type, String stateKey, ObjectNode content) {
        return ok(user, "PUT", room(roomId) + "/state/" + type + "/" + enc(stateKey), content).path("event_id").asText();
    }

    void invite(TestUser user, String roomId, TestUser target) {
        ok(user, "POST", room(roomId) + "/invite", obj().put("user_id", target.userId()));
    }

    void join(TestUser user, String roomId) {
        ok(user, "POST", room(roomId) + "/join", obj());
    }

    /** A room of {@code owner} that each of {@code others} joined. */
    String sharedRoom(TestUser owner, TestUser... others) {
        String roomId = createRoom(owner, "{}");
        for (TestUser other : others) {
            invite(owner, roomId, other);
            join(other, roomId);
        }
        return roomId;
    }

    // ---- sliding sync ----

    /** A request body with one list, {@code name}, over {@code [0, end]}. */
    static ObjectNode listBody(String name, int end, int timelineLimit, String requiredState) {
        ObjectNode body = obj();
        ObjectNode list = body.putObject("lists").putObject(name);
        list.putArray("ranges").addArray().add(0).add(end);
        list.put("timeline_limit", timelineLimit);
        list.set("required_state", obj("{\"r\":" + requiredState + "}").get("r"));
        return body;
    }

    /** A sliding sync request without waiting: the response. */
    JsonNode sync(TestUser user, String pos, ObjectNode body) {
        HttpResponse<String> r = request(user, pos, 0, body);
        assertEquals(200, r.statusCode(), r::body);
        return TestHomeserver.json(r);
    }

    /** A sliding sync request waiting up to {@code timeoutMs}. */
    HttpResponse<String> request(TestUser user, String pos, long timeoutMs, ObjectNode body) {
        String path = SLIDING + "?timeout=" + timeoutMs + (pos == null ? "" : "&pos=" + enc(pos));
        HttpRequest request = HttpRequest.newBuilder(hs.clientUri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + user.accessToken())
                .timeout(Duration.ofMillis(timeoutMs + 60_000)).build();
        try {
            return hs.http().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- reading responses ----

    /** The room ids of a list's first range, in order. */
    static List<String> listRooms(JsonNode response, String list) {
        List<String> ids = new ArrayList<>();
        response.path("lists").path(list).path("ops").path(0).path("room_ids").forEach(id -> ids.add(id.asText()));
        return ids;
    }

    static JsonNode roomOf(JsonNode response, String roomId) {
        return response.path("rooms").path(roomId);
    }

    /** The bodies of a room's timeline messages. */
    static List<String> bodies(JsonNode response, String roomId) {
        List<String> bodies = new ArrayList<>();
        for (JsonNode e : roomOf(response, roomId).path("timeline")) {
            if (e.path("type").asText().equals("m.room.message")) {
                bodies.add(e.path("content").path("body").asText());
            }
        }
        return bodies;
    }

    /** A room's required state as {@code type|state_key}. */
    static List<String> stateKeys(JsonNode response, String roomId) {
        List<String> keys = new ArrayList<>();
        for (JsonNode e : roomOf(response, roomId).path("required_state")) {
            keys.add(e.path("type").asText() + "|" + e.path("state_key").asText());
        }
        return keys;
    }

    static ArrayNode array(String... values) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (String v : values) {
            array.add(v);
        }
        return array;
    }
}
