package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client for the sync tests: room calls, /sync and the stream endpoints, each asserting its
 * status and returning the JSON body.
 */
final class SyncClient {

    static final String V3 = "/_matrix/client/v3";
    private static final AtomicLong TXN = new AtomicLong();

    private final TestHomeserver hs;

    SyncClient(TestHomeserver hs) {
        this.hs = hs;
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
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

    static String user(TestUser user) {
        return V3 + "/user/" + enc(user.userId());
    }

    HttpResponse<String> call(TestUser user, String method, String path, Object body) {
        return hs.authed(user.accessToken(), method, path, body == null ? null : body.toString());
    }

    JsonNode ok(TestUser user, String method, String path, Object body) {
        HttpResponse<String> r = call(user, method, path, body);
        assertEquals(200, r.statusCode(), () -> method + " " + path + ": " + r.body());
        return TestHomeserver.json(r);
    }

    /** Asserts an error status and errcode. */
    JsonNode fails(int status, String errcode, TestUser user, String method, String path, Object body) {
        HttpResponse<String> r = call(user, method, path, body);
        assertEquals(status, r.statusCode(), () -> method + " " + path + ": " + r.body());
        JsonNode json = TestHomeserver.json(r);
        assertEquals(errcode, json.path("errcode").asText(), r::body);
        return json;
    }

    // ---- rooms ----

    String createRoom(TestUser user, String body) {
        return ok(user, "POST", V3 + "/createRoom", body).path("room_id").asText();
    }

    String send(TestUser user, String roomId, String body) {
        return ok(user, "PUT", room(roomId) + "/send/m.room.message/s" + TXN.incrementAndGet(),
                obj().put("msgtype", "m.text").put("body", body)).path("event_id").asText();
    }

    /** Sends an event of {@code type} with {@code content}; its id. */
    String sendEvent(TestUser user, String roomId, String type, ObjectNode content) {
        return ok(user, "PUT", room(roomId) + "/send/" + type + "/s" + TXN.incrementAndGet(), content)
                .path("event_id").asText();
    }

    /** A thread reply to {@code rootId}; its id. */
    String threadReply(TestUser user, String roomId, String rootId, String body) {
        ObjectNode content = obj().put("msgtype", "m.text").put("body", body);
        content.putObject("m.relates_to").put("rel_type", "m.thread").put("event_id", rootId);
        return sendEvent(user, roomId, "m.room.message", content);
    }

    /** An {@code m.reaction} to {@code targetId}; its id. */
    String react(TestUser user, String roomId, String targetId, String key) {
        ObjectNode content = obj();
        content.putObject("m.relates_to").put("rel_type", "m.annotation").put("event_id", targetId).put("key", key);
        return sendEvent(user, roomId, "m.reaction", content);
    }

    String state(TestUser user, String roomId, String type, String stateKey, ObjectNode content) {
        return ok(user, "PUT", room(roomId) + "/state/" + type + "/" + enc(stateKey), content).path("event_id").asText();
    }

    void join(TestUser user, String roomId) {
        ok(user, "POST", room(roomId) + "/join", obj());
    }

    void invite(TestUser user, String roomId, TestUser target) {
        ok(user, "POST", room(roomId) + "/invite", obj().put("user_id", target.userId()));
    }

    void leave(TestUser user, String roomId) {
        ok(user, "POST", room(roomId) + "/leave", obj());
    }

    // ---- sync ----

    /** An initial sync. */
    JsonNode sync(TestUser user) {
        return sync(user, null, "");
    }

    /** A sync from {@code since} (null: initial) with extra query parameters ({@code &a=b...}). */
    JsonNode sync(TestUser user, String since, String extra) {
        String path = V3 + "/sync?timeout=0" + (since == null ? "" : "&since=" + enc(since)) + extra;
        return ok(user, "GET", path, null);
    }

    /** A long-polling sync from {@code since}, waiting up to {@code timeoutMs}. */
    JsonNode longPoll(TestUser user, String since, long timeoutMs, String extra) {
        String path = V3 + "/sync?timeout=" + timeoutMs + "&since=" + enc(since) + extra;
        HttpRequest request = HttpRequest.newBuilder(hs.clientUri(path)).GET()
                .header("Authorization", "Bearer " + user.accessToken())
                .timeout(Duration.ofMillis(timeoutMs + 60_000)).build();
        try {
            HttpResponse<String> r = hs.http().send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r::body);
            return TestHomeserver.json(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The URL-encoded inline filter parameter. */
    static String filter(String json) {
        return "&filter=" + enc(json);
    }

    // ---- reading responses ----

    static JsonNode joined(JsonNode sync, String roomId) {
        return sync.path("rooms").path("join").path(roomId);
    }

    /** The timeline events of a joined room. */
    static List<JsonNode> timeline(JsonNode sync, String roomId) {
        List<JsonNode> events = new ArrayList<>();
        joined(sync, roomId).path("timeline").path("events").forEach(events::add);
        return events;
    }

    /** The bodies of the timeline's messages. */
    static List<String> bodies(JsonNode sync, String roomId) {
        return timeline(sync, roomId).stream().filter(e -> e.path("type").asText().equals("m.room.message"))
                .map(e -> e.path("content").path("body").asText()).toList();
    }

    /** The state section's events as {@code type|state_key}. */
    static List<String> stateKeys(JsonNode roomEntry) {
        List<String> keys = new ArrayList<>();
        roomEntry.path("state").path("events")
                .forEach(e -> keys.add(e.path("type").asText() + "|" + e.path("state_key").asText()));
        return keys;
    }

    /** The room's ephemeral event of {@code type}, or a missing node. */
    static JsonNode ephemeral(JsonNode sync, String roomId, String type) {
        for (JsonNode e : joined(sync, roomId).path("ephemeral").path("events")) {
            if (e.path("type").asText().equals(type)) {
                return e;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
