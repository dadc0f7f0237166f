package org.myelin.server.client.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.account.Requests.errcode;
import static org.myelin.server.client.account.Requests.json;
import static org.myelin.server.client.account.Requests.object;
import static org.myelin.server.client.account.Requests.passwordAuth;
import static org.myelin.server.client.account.Requests.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/** {@code /devices}, {@code /devices/{deviceId}} and {@code /delete_devices}. */
class DeviceIT {

    private static final String DEVICES = "/_matrix/client/v3/devices";
    private static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static List<String> deviceIds(TestUser u) {
        HttpResponse<String> r = hs.authed(u.accessToken(), "GET", DEVICES, null);
        assertEquals(200, r.statusCode(), r.body());
        List<String> ids = new ArrayList<>();
        json(r).path("devices").forEach(d -> ids.add(d.path("device_id").asText()));
        return ids;
    }

    @Test
    void listsTheUsersDevicesWithLastSeen() {
        TestUser u = hs.registerUser("lister");
        TestUser second = hs.login(u);
        assertEquals(List.of(u.deviceId(), second.deviceId()).stream().sorted().toList(), deviceIds(u));
        JsonNode device = json(hs.authed(u.accessToken(), "GET", DEVICES + "/" + u.deviceId(), null));
        assertEquals(u.deviceId(), device.path("device_id").asText());
        assertTrue(device.path("last_seen_ts").asLong() > 0, device::toString);
        assertEquals("127.0.0.1", device.path("last_seen_ip").asText());
    }

    /** matrix-nio's schema requires the three keys, nullable, as Synapse answers them. */
    @Test
    void whatIsNotKnownOfADeviceIsNull() {
        TestUser u = hs.registerUser("unseen");
        TestUser unnamed = hs.login(u); // no display name, and not seen since it logged in
        JsonNode listed = null;
        for (JsonNode d : json(hs.authed(u.accessToken(), "GET", DEVICES, null)).path("devices")) {
            assertTrue(d.has("display_name") && d.has("last_seen_ip") && d.has("last_seen_ts"), d::toString);
            if (d.path("device_id").asText().equals(unnamed.deviceId())) {
                listed = d;
            }
        }
        JsonNode one = json(hs.authed(u.accessToken(), "GET", DEVICES + "/" + unnamed.deviceId(), null));
        for (JsonNode device : List.of(listed, one)) {
            assertTrue(device.get("display_name").isNull(), device::toString);
            assertTrue(device.get("last_seen_ip").isNull(), device::toString);
            assertTrue(device.get("last_seen_ts").isNull(), device::toString);
        }
    }

    @Test
    void unknownOrForeignDeviceIs404() {
        TestUser u = hs.registerUser("seeker");
        TestUser other = hs.registerUser("owner");
        HttpResponse<String> unknown = hs.authed(u.accessToken(), "GET", DEVICES + "/NOPE", null);
        assertEquals(404, unknown.statusCode());
        assertEquals("M_NOT_FOUND", errcode(unknown));
        assertEquals(404, hs.authed(u.accessToken(), "GET", DEVICES + "/" + other.deviceId(), null).statusCode());
        assertEquals(404, hs.authed(u.accessToken(), "PUT", DEVICES + "/" + other.deviceId(),
                "{\"display_name\":\"mine now\"}").statusCode());
    }

    @Test
    void renamesADevice() {
        TestUser u = hs.registerUser("renamer");
        String path = DEVICES + "/" + u.deviceId();
        HttpResponse<String> r = hs.authed(u.accessToken(), "PUT", path, "{\"display_name\":\"Work phone\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("Work phone", json(hs.authed(u.accessToken(), "GET", path, null)).path("display_name").asText());
        assertEquals(200, hs.authed(u.accessToken(), "PUT", path, "{}").statusCode(), "no change is fine");
        assertEquals("Work phone", json(hs.authed(u.accessToken(), "GET", path, null)).path("display_name").asText());
    }

    @Test
    void deletingADeviceNeedsThePasswordAndRevokesItsToken() {
        TestUser u = hs.registerUser("deleter", "pw");
        TestUser doomed = hs.login(u);
        String path = DEVICES + "/" + doomed.deviceId();
        HttpResponse<String> first = hs.authed(u.accessToken(), "DELETE", path, null);
        assertEquals(401, first.statusCode(), first.body());
        assertEquals("m.login.password", json(first).path("flows").path(0).path("stages").path(0).asText());
        assertTrue(json(first).path("completed").isArray(), "a 401 lists the stages completed, none yet");
        assertEquals(0, json(first).path("completed").size());
        assertEquals(200, hs.authed(doomed.accessToken(), "GET", "/_matrix/client/v3/account/whoami", null)
                .statusCode(), "nothing deleted yet");

        ObjectNode body = object();
        body.set("auth", passwordAuth(u.userId(), "wrong", session(first)));
        HttpResponse<String> wrong = hs.authed(u.accessToken(), "DELETE", path, body.toString());
        assertEquals(401, wrong.statusCode());
        assertEquals("M_FORBIDDEN", errcode(wrong));

        body.set("auth", passwordAuth(u.userId(), "pw", session(first)));
        HttpResponse<String> done = hs.authed(u.accessToken(), "DELETE", path, body.toString());
        assertEquals(200, done.statusCode(), done.body());
        HttpResponse<String> revoked = hs.authed(doomed.accessToken(), "GET", "/_matrix/client/v3/account/whoami", null);
        assertEquals(401, revoked.statusCode());
        assertEquals("M_UNKNOWN_TOKEN", errcode(revoked));
        assertEquals(List.of(u.deviceId()), deviceIds(u));
    }

    @Test
    void deletingAnAbsentDeviceSucceeds() {
        TestUser u = hs.registerUser("absent", "pw");
        ObjectNode body = object();
        body.set("auth", passwordAuth(u.userId(), "pw", null));
        assertEquals(200, hs.authed(u.accessToken(), "DELETE", DEVICES + "/GONE", body.toString()).statusCode());
    }

    @Test
    void bulkDeletion() {
        TestUser u = hs.registerUser("bulk", "pw");
        TestUser a = hs.login(u);
        TestUser b = hs.login(u);
        ObjectNode body = object();
        body.putArray("devices").add(a.deviceId()).add(b.deviceId()).add("NOT_THERE");
        HttpResponse<String> first = hs.authed(u.accessToken(), "POST", "/_matrix/client/v3/delete_devices",
                body.toString());
        assertEquals(401, first.statusCode(), first.body());
        body.set("auth", passwordAuth(u.userId(), "pw", session(first)));
        HttpResponse<String> done = hs.authed(u.accessToken(), "POST", "/_matrix/client/v3/delete_devices",
                body.toString());
        assertEquals(200, done.statusCode(), done.body());
        assertEquals(List.of(u.deviceId()), deviceIds(u));
        assertEquals(401, hs.authed(a.accessToken(), "GET", DEVICES, null).statusCode());
        assertEquals(401, hs.authed(b.accessToken(), "GET", DEVICES, null).statusCode());
    }

    @Test
    void bulkDeletionNeedsTheDeviceList() {
        TestUser u = hs.registerUser("nolist");
        HttpResponse<String> r = hs.authed(u.accessToken(), "POST", "/_matrix/client/v3/delete_devices", "{}");
        assertEquals(400, r.statusCode());
        assertEquals("M_MISSING_PARAM", errcode(r));
    }

    @Test
    void aSessionForSomeDevicesCannotDeleteOthers() {
        TestUser u = hs.registerUser("scoped", "pw");
        TestUser a = hs.login(u);
        TestUser b = hs.login(u);
        String session = session(hs.authed(u.accessToken(), "DELETE", DEVICES + "/" + a.deviceId(), null));
        ObjectNode body = object();
        body.set("auth", passwordAuth(u.userId(), "pw", session));
        HttpResponse<String> r = hs.authed(u.accessToken(), "DELETE", DEVICES + "/" + b.deviceId(), body.toString());
        assertEquals(403, r.statusCode(), r.body());
        assertFalse(deviceIds(u).isEmpty());
        assertTrue(deviceIds(u).contains(b.deviceId()));
    }

    /** As Synapse: the password stage authenticates someone, and it must be the requester. */
    @Test
    void authenticatingAsAnotherUserIs403() {
        TestUser mallory = hs.registerUser("mallory", "pw-mallory");
        TestUser victim = hs.registerUser("victim", "pw-victim");
        ObjectNode body = object();
        body.set("auth", passwordAuth(victim.userId(), "pw-victim", null));
        HttpResponse<String> one = hs.authed(mallory.accessToken(), "DELETE", DEVICES + "/" + victim.deviceId(),
                body.toString());
        assertEquals(403, one.statusCode(), one.body());
        assertEquals("M_FORBIDDEN", errcode(one));
        body.putArray("devices").add(victim.deviceId()).add(mallory.deviceId());
        HttpResponse<String> many = hs.authed(mallory.accessToken(), "POST", "/_matrix/client/v3/delete_devices",
                body.toString());
        assertEquals(403, many.statusCode(), many.body());
        assertEquals(List.of(victim.deviceId()), deviceIds(victim));
        assertEquals(List.of(mallory.deviceId()), deviceIds(mallory));
    }
}
