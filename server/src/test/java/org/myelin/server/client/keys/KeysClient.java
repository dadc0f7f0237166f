package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The calls the keys tests make, as a client makes them. */
final class KeysClient {

    static final String V3 = "/_matrix/client/v3";

    private final TestHomeserver hs;

    KeysClient(TestHomeserver hs) {
        this.hs = hs;
    }

    static ObjectNode obj() {
        return Json.MAPPER.createObjectNode();
    }

    HttpResponse<String> call(TestUser user, String method, String path, Object body) {
        return hs.authed(user.accessToken(), method, path, body == null ? null : body.toString());
    }

    JsonNode ok(TestUser user, String method, String path, Object body) {
        HttpResponse<String> r = call(user, method, path, body);
        assertEquals(200, r.statusCode(), () -> method + " " + path + ": " + r.body());
        return TestHomeserver.json(r);
    }

    JsonNode fails(int status, String errcode, TestUser user, String method, String path, Object body) {
        HttpResponse<String> r = call(user, method, path, body);
        assertEquals(status, r.statusCode(), () -> method + " " + path + ": " + r.body());
        JsonNode json = TestHomeserver.json(r);
        assertEquals(errcode, json.path("errcode").asText(), r::body);
        return json;
    }

    JsonNode upload(TestUser user, ObjectNode body) {
        return ok(user, "POST", V3 + "/keys/upload", body);
    }

    JsonNode query(TestUser user, String... users) {
        ObjectNode body = obj();
        ObjectNode deviceKeys = body.putObject("device_keys");
        for (String u : users) {
            deviceKeys.putArray(u);
        }
        return ok(user, "POST", V3 + "/keys/query", body);
    }

    /** Claims one key of {@code algorithm} of {@code device}; the answer. */
    JsonNode claim(TestUser user, TestUser device, String algorithm) {
        ObjectNode body = obj();
        body.putObject("one_time_keys").putObject(device.userId()).put(device.deviceId(), algorithm);
        return ok(user, "POST", V3 + "/keys/claim", body);
    }

    JsonNode sync(TestUser user, String since) {
        return ok(user, "GET", V3 + "/sync?timeout=0" + (since == null ? "" : "&since=" + TestHomeserver.enc(since)),
                null);
    }

    String createRoom(TestUser user) {
        return ok(user, "POST", V3 + "/createRoom", obj()).path("room_id").asText();
    }

    void invite(TestUser user, String roomId, TestUser target) {
        ok(user, "POST", V3 + "/rooms/" + TestHomeserver.enc(roomId) + "/invite", obj().put("user_id", target.userId()));
    }

    void join(TestUser user, String roomId) {
        ok(user, "POST", V3 + "/rooms/" + TestHomeserver.enc(roomId) + "/join", obj());
    }

    void leave(TestUser user, String roomId) {
        ok(user, "POST", V3 + "/rooms/" + TestHomeserver.enc(roomId) + "/leave", obj());
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
