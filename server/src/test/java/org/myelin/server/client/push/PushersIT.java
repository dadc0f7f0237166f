package org.myelin.server.client.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /pushers} and {@code POST /pushers/set}: creating, replacing, deleting, validation and removal with the device. */
class PushersIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final String URL = "https://push.example.org/_matrix/push/v1/notify";
    private static final AtomicLong USERS = new AtomicLong();

    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static TestUser user() {
        return hs.registerUser("pushy" + USERS.incrementAndGet(), "pw");
    }

    static ObjectNode pusher(String appId, String pushkey) {
        ObjectNode p = Json.MAPPER.createObjectNode().put("kind", "http").put("app_id", appId)
                .put("app_display_name", "Appy").put("device_display_name", "Alice's phone")
                .put("pushkey", pushkey).put("lang", "en-GB").put("profile_tag", "xyz");
        p.putObject("data").put("url", URL).put("format", "event_id_only").put("custom", "kept");
        return p;
    }

    private static HttpResponse<String> set(TestUser u, Object body) {
        return hs.authed(u.accessToken(), "POST", V3 + "/pushers/set", body.toString());
    }

    private static void ok(TestUser u, Object body) {
        HttpResponse<String> r = set(u, body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{}", r.body());
    }

    private static JsonNode pushers(TestUser u) {
        return hs.expect(200, u, "GET", V3 + "/pushers", null).path("pushers");
    }

    private static List<String> pushkeys(TestUser u) {
        List<String> keys = new ArrayList<>();
        pushers(u).forEach(p -> keys.add(p.path("pushkey").asText()));
        return keys;
    }

    private static void refused(TestUser u, Object body, String errcode, String errorPart) {
        HttpResponse<String> r = set(u, body);
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = TestHomeserver.json(r);
        assertEquals(errcode, error.path("errcode").asText(), r.body());
        assertTrue(error.path("error").asText().contains(errorPart), r.body());
    }

    @Test
    void aPusherIsListedAsSet() {
        TestUser u = user();
        assertEquals(0, pushers(u).size());
        ok(u, pusher("org.example.app.ios", "key-1"));

        JsonNode listed = pushers(u);
        assertEquals(1, listed.size());
        JsonNode p = listed.get(0);
        assertEquals("key-1", p.path("pushkey").asText());
        assertEquals("http", p.path("kind").asText());
        assertEquals("org.example.app.ios", p.path("app_id").asText());
        assertEquals("Appy", p.path("app_display_name").asText());
        assertEquals("Alice's phone", p.path("device_display_name").asText());
        assertEquals("xyz", p.path("profile_tag").asText());
        assertEquals("en-GB", p.path("lang").asText());
        assertEquals(Json.MAPPER.createObjectNode().put("url", URL).put("format", "event_id_only").put("custom", "kept"),
                p.path("data"));
        assertEquals(8, p.size(), "the spec's fields, no more: " + p);
    }

    @Test
    void settingTheSameAppIdAndPushkeyReplaces() {
        TestUser u = user();
        ok(u, pusher("org.example.app", "key"));
        ok(u, pusher("org.example.app", "key").put("device_display_name", "New phone").put("lang", "fr"));
        ok(u, pusher("org.example.other", "key"));

        JsonNode listed = pushers(u);
        assertEquals(2, listed.size(), listed::toString);
        assertEquals("New phone", listed.get(0).path("device_display_name").asText());
        assertEquals("fr", listed.get(0).path("lang").asText());
        assertEquals("org.example.other", listed.get(1).path("app_id").asText());
    }

    @Test
    void withoutAppendThePushkeyLeavesOtherUsers() {
        TestUser first = user();
        TestUser second = user();
        TestUser third = user();
        ok(first, pusher("org.example.shared", "handset"));
        ok(second, pusher("org.example.shared", "handset").put("append", true));
        assertEquals(List.of("handset"), pushkeys(first), "append keeps the other user's pusher");
        assertEquals(List.of("handset"), pushkeys(second));

        ok(third, pusher("org.example.shared", "handset"));
        assertEquals(List.of(), pushkeys(first), "the handset changed hands");
        assertEquals(List.of(), pushkeys(second));
        assertEquals(List.of("handset"), pushkeys(third));
    }

    @Test
    void aNullKindDeletes() {
        TestUser u = user();
        ok(u, pusher("org.example.app", "a"));
        ok(u, pusher("org.example.app", "b"));
        ok(u, Json.MAPPER.createObjectNode().putNull("kind").put("app_id", "org.example.app").put("pushkey", "a"));
        assertEquals(List.of("b"), pushkeys(u));
        ok(u, Json.MAPPER.createObjectNode().putNull("kind").put("app_id", "org.example.app").put("pushkey", "none"));
        assertEquals(List.of("b"), pushkeys(u), "deleting an unknown pusher changes nothing");
    }

    @Test
    void badPushersAreRefusedAsSynapseRefusesThem() {
        TestUser u = user();
        ObjectNode missing = pusher("org.example.app", "k");
        missing.remove("lang");
        missing.remove("data");
        refused(u, missing, "M_MISSING_PARAM", "lang");
        refused(u, missing, "M_MISSING_PARAM", "data");
        refused(u, Json.MAPPER.createObjectNode().putNull("kind").put("app_id", "org.example.app"),
                "M_MISSING_PARAM", "pushkey");

        ObjectNode noUrl = pusher("org.example.app", "k");
        ((ObjectNode) noUrl.get("data")).remove("url");
        refused(u, noUrl, "M_MISSING_PARAM", "url");
        ObjectNode wrongPath = pusher("org.example.app", "k");
        ((ObjectNode) wrongPath.get("data")).put("url", "https://push.example.org/notify");
        refused(u, wrongPath, "M_MISSING_PARAM", "/_matrix/push/v1/notify");
        ObjectNode numericUrl = pusher("org.example.app", "k");
        ((ObjectNode) numericUrl.get("data")).put("url", 42);
        refused(u, numericUrl, "M_MISSING_PARAM", "url");
        refused(u, pusher("org.example.app", "k").putNull("data"), "M_MISSING_PARAM", "data");

        refused(u, pusher("org.example.app", "k").put("pushkey", 7), "M_INVALID_PARAM", "pushkey");
        refused(u, pusher("org.example.app", "k").put("data", "text"), "M_INVALID_PARAM", "data");
        refused(u, pusher("org.example.app", "k").put("append", "yes"), "M_INVALID_PARAM", "append");
        refused(u, pusher("x".repeat(65), "k"), "M_INVALID_PARAM", "app_id");
        refused(u, pusher("org.example.app", "k".repeat(513)), "M_INVALID_PARAM", "pushkey");
        refused(u, pusher("org.example.app", "k").put("kind", "carrier-pigeon"), "M_INVALID_PARAM", "kind");
        refused(u, pusher("m.email", "alice@example.org").put("kind", "email"), "M_THREEPID_NOT_FOUND", "Email");

        HttpResponse<String> notJson = set(u, "not json");
        assertEquals(400, notJson.statusCode());
        assertEquals("M_NOT_JSON", TestHomeserver.json(notJson).path("errcode").asText());
        assertEquals(0, pushers(u).size(), "nothing refused was stored");
        assertEquals(401, hs.request("GET", V3 + "/pushers", null).statusCode());
    }

    @Test
    void loggingOutRemovesTheDevicesPushers() {
        TestUser phone = user();
        TestUser laptop = hs.login(phone);
        ok(phone, pusher("org.example.app", "phone"));
        ok(laptop, pusher("org.example.app", "laptop"));

        hs.expect(200, phone, "POST", V3 + "/logout", "{}");
        assertEquals(List.of("laptop"), pushkeys(laptop));

        TestUser tablet = hs.login(laptop);
        ok(tablet, pusher("org.example.app", "tablet"));
        hs.expect(200, tablet, "POST", V3 + "/logout/all", "{}");
        TestUser again = hs.login(laptop);
        assertEquals(List.of(), pushkeys(again), "logging out everywhere removes every pusher");
    }

    @Test
    void aPasswordChangeRemovesThePushersOfTheDevicesItLogsOut() {
        TestUser phone = user();
        TestUser laptop = hs.login(phone);
        ok(phone, pusher("org.example.app", "phone"));
        ok(laptop, pusher("org.example.app", "laptop"));

        ObjectNode change = Json.MAPPER.createObjectNode().put("new_password", "pw2");
        ObjectNode auth = change.putObject("auth").put("type", "m.login.password").put("password", "pw");
        auth.putObject("identifier").put("type", "m.id.user").put("user", phone.userId());
        hs.expect(200, phone, "POST", V3 + "/account/password", change.toString());
        assertEquals(List.of("phone"), pushkeys(phone), "the requester's device keeps its pusher");
    }
}
