package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A client of the room endpoints for tests: each call asserts its status and returns the JSON body. */
final class Rooms {

    static final String V3 = "/_matrix/client/v3";
    private static final AtomicLong TXN = new AtomicLong();

    private final TestHomeserver hs;

    Rooms(TestHomeserver hs) {
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
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    HttpResponse<String> call(TestUser user, String method, String path, Object body) {
        return hs.authed(user.accessToken(), method, path, body == null ? null : body.toString());
    }

    JsonNode ok(TestUser user, String method, String path, Object body) {
        HttpResponse<String> r = call(user, method, path, body);
        assertEquals(200, r.statusCode(), () -> method + " " + path + ": " + r.body());
        return TestHomeserver.json(r);
    }

    /** Asserts an error status and errcode; returns the body. */
    JsonNode fails(int status, String errcode, TestUser user, String method, String path, Object body) {
        HttpResponse<String> r = call(user, method, path, body);
        assertEquals(status, r.statusCode(), () -> method + " " + path + ": " + r.body());
        JsonNode json = TestHomeserver.json(r);
        assertEquals(errcode, json.path("errcode").asText(), r::body);
        return json;
    }

    String create(TestUser user, String body) {
        return ok(user, "POST", V3 + "/createRoom", body).path("room_id").asText();
    }

    String send(TestUser user, String roomId, String body) {
        return ok(user, "PUT", room(roomId) + "/send/m.room.message/t" + TXN.incrementAndGet(),
                obj().put("msgtype", "m.text").put("body", body)).path("event_id").asText();
    }

    /** Sends an event of {@code type} with {@code content}; its id. */
    String sendEvent(TestUser user, String roomId, String type, ObjectNode content) {
        return ok(user, "PUT", room(roomId) + "/send/" + type + "/t" + TXN.incrementAndGet(), content)
                .path("event_id").asText();
    }

    String state(TestUser user, String roomId, String type, String stateKey, ObjectNode content) {
        return ok(user, "PUT", room(roomId) + "/state/" + type + "/" + enc(stateKey), content)
                .path("event_id").asText();
    }

    JsonNode join(TestUser user, String roomId) {
        return ok(user, "POST", room(roomId) + "/join", obj());
    }

    JsonNode invite(TestUser user, String roomId, TestUser target) {
        return ok(user, "POST", room(roomId) + "/invite", obj().put("user_id", target.userId()));
    }

    JsonNode leave(TestUser user, String roomId) {
        return ok(user, "POST", room(roomId) + "/leave", obj());
    }

    JsonNode event(TestUser user, String roomId, String eventId) {
        return ok(user, "GET", room(roomId) + "/event/" + enc(eventId), null);
    }

    JsonNode stateEvent(TestUser user, String roomId, String type, String stateKey) {
        return ok(user, "GET", room(roomId) + "/state/" + type + "/" + enc(stateKey) + "?format=event", null);
    }

    static String room(String roomId) {
        return V3 + "/rooms/" + enc(roomId);
    }
}
