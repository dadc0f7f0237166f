package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.keys.KeysClient.V3;
import static org.myelin.server.client.keys.KeysClient.obj;

/**
 * Dehydrated devices (MSC3814), as Element uses them: a client uploads a device with its keys and
 * no session; other users claim its keys and send it to-device messages as to any device; the
 * owner's next client reads the device back and pages through its messages.
 */
class DehydratedDeviceIT {

    static final String MSC3814 = "/_matrix/client/unstable/org.matrix.msc3814.v1";
    static final String DEHYDRATED = MSC3814 + "/dehydrated_device";
    static final AtomicInteger TXN = new AtomicInteger();

    static TestHomeserver hs;
    static KeysClient client;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        client = new KeysClient(hs);
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    /** The dehydrated device {@code deviceId} of {@code owner}, with keys of its own. */
    static TestDevice dehydratedDevice(TestUser owner, String deviceId) {
        return new TestDevice(new TestUser(owner.userId(), deviceId, null, null));
    }

    /** A {@code PUT /dehydrated_device} body for {@code device}, with {@code oneTimeKeys} one-time keys. */
    static ObjectNode dehydrate(TestDevice device, int oneTimeKeys) {
        ObjectNode body = obj().put("device_id", device.user.deviceId())
                .put("initial_device_display_name", "Dehydrated device");
        body.putObject("device_data").put("algorithm", "org.matrix.msc3814.v1.olm").put("device_pickle", "cGlja2xl");
        body.set("device_keys", device.deviceKeys());
        body.set("one_time_keys", device.oneTimeKeys(0, oneTimeKeys));
        body.set("fallback_keys", device.fallbackKey("FALLBACK"));
        return body;
    }

    static void put(TestUser owner, TestDevice device, int oneTimeKeys) {
        JsonNode answer = client.ok(owner, "PUT", DEHYDRATED, dehydrate(device, oneTimeKeys));
        assertEquals(device.user.deviceId(), answer.path("device_id").asText(), answer::toString);
    }

    static void sendToDevice(TestUser from, String userId, String deviceId, String body) {
        ObjectNode request = obj();
        request.putObject("messages").putObject(userId).set(deviceId, obj().put("body", body));
        client.ok(from, "PUT", V3 + "/sendToDevice/org.example.ping/t" + TXN.incrementAndGet(), request);
    }

    static JsonNode events(TestUser owner, String deviceId, String nextBatch, int limit) {
        ObjectNode body = nextBatch == null ? obj() : obj().put("next_batch", nextBatch);
        return client.ok(owner, "POST", DEHYDRATED + "/" + TestHomeserver.enc(deviceId) + "/events?limit=" + limit, body);
    }

    static List<String> bodies(JsonNode page) {
        List<String> bodies = new ArrayList<>();
        page.path("events").forEach(e -> bodies.add(e.path("content").path("body").asText()));
        return bodies;
    }

    static JsonNode queriedDevices(TestUser asker, TestUser owner) {
        return client.query(asker, owner.userId()).path("device_keys").path(owner.userId());
    }

    static long storedMessages(String userId, String deviceId) throws SQLException {
        try (Connection c = hs.homeserver().database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT count(*) FROM to_device_messages WHERE user_id = ? AND device_id = ?")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void othersUseTheDehydratedDeviceAndItsOwnerPagesThroughItsMessages() {
        TestUser alice = hs.registerUser("alice-cycle");
        TestUser bob = hs.registerUser("bob-cycle");
        client.fails(404, "M_NOT_FOUND", alice, "GET", DEHYDRATED, null);
        TestDevice device = dehydratedDevice(alice, "DEHYDRATED1");
        put(alice, device, 2);

        JsonNode got = client.ok(alice, "GET", DEHYDRATED, null);
        assertEquals("DEHYDRATED1", got.path("device_id").asText(), got::toString);
        assertEquals(obj().put("algorithm", "org.matrix.msc3814.v1.olm").put("device_pickle", "cGlja2xl"),
                got.path("device_data"));

        JsonNode keys = queriedDevices(bob, alice).path("DEHYDRATED1");
        assertTrue(JsonSigning.verify((ObjectNode) keys, alice.userId(), device.signingKey.verifyKey()), keys::toString);
        assertEquals("Dehydrated device", keys.path("unsigned").path("device_display_name").asText(), keys::toString);
        JsonNode claimed = client.claim(bob, device.user, "signed_curve25519").path("one_time_keys")
                .path(alice.userId()).path("DEHYDRATED1");
        assertTrue(claimed.has("signed_curve25519:AAAA0"), claimed::toString);

        for (int i = 1; i <= 3; i++) {
            sendToDevice(bob, alice.userId(), "DEHYDRATED1", "room key " + i);
        }
        sendToDevice(bob, alice.userId(), "*", "to every device");

        JsonNode first = events(alice, "DEHYDRATED1", null, 2);
        assertEquals(List.of("room key 1", "room key 2"), bodies(first), first::toString);
        JsonNode event = first.path("events").get(0);
        assertEquals(bob.userId(), event.path("sender").asText(), event::toString);
        assertEquals("org.example.ping", event.path("type").asText(), event::toString);
        String next = first.path("next_batch").asText();
        JsonNode second = events(alice, "DEHYDRATED1", next, 2);
        assertEquals(List.of("room key 3", "to every device"), bodies(second), second::toString);
        JsonNode last = events(alice, "DEHYDRATED1", second.path("next_batch").asText(), 2);
        assertEquals(List.of(), bodies(last), "the page after the last is empty: " + last);
        assertTrue(last.path("next_batch").isTextual(), last::toString);

        assertEquals(List.of("room key 1", "room key 2", "room key 3", "to every device"),
                bodies(events(alice, "DEHYDRATED1", null, 100)),
                "paging deletes nothing (MSC3814): a rehydration can start again");
        String afterFirst = events(alice, "DEHYDRATED1", null, 1).path("next_batch").asText();
        assertEquals(List.of("room key 2", "room key 3", "to every device"),
                bodies(events(alice, "DEHYDRATED1", afterFirst, 100)));
    }

    @Test
    void theDehydratedDeviceIsListedButHasNoSession() {
        TestUser alice = hs.registerUser("alice-listed");
        put(alice, dehydratedDevice(alice, "DEHYDRATED2"), 1);
        List<String> listed = new ArrayList<>();
        client.ok(alice, "GET", V3 + "/devices", null).path("devices")
                .forEach(d -> listed.add(d.path("device_id").asText()));
        assertEquals(List.of(alice.deviceId(), "DEHYDRATED2").stream().sorted().toList(), listed,
                "GET /devices lists it, as Synapse does");
        JsonNode sync = client.sync(alice, null);
        assertEquals(0, sync.path("device_one_time_keys_count").path("signed_curve25519").asInt(), sync::toString);
    }

    @Test
    void getEventsOmitsNextBatchOnTheLastPage() {
        TestUser alice = hs.registerUser("alice-get");
        TestUser bob = hs.registerUser("bob-get");
        put(alice, dehydratedDevice(alice, "DEHYDRATED3"), 0);
        sendToDevice(bob, alice.userId(), "DEHYDRATED3", "one");
        sendToDevice(bob, alice.userId(), "DEHYDRATED3", "two");
        JsonNode first = client.ok(alice, "GET", DEHYDRATED + "/DEHYDRATED3/events?limit=1", null);
        assertEquals(List.of("one"), bodies(first), first::toString);
        JsonNode second = client.ok(alice, "GET", DEHYDRATED + "/DEHYDRATED3/events?from="
                + first.path("next_batch").asText(), null);
        assertEquals(List.of("two"), bodies(second), second::toString);
        assertFalse(second.has("next_batch"), second::toString);
    }

    @Test
    void replacingTheDehydratedDeviceDeletesTheOldOneWithItsKeysAndMessages() throws SQLException {
        TestUser alice = hs.registerUser("alice-replace");
        TestUser bob = hs.registerUser("bob-replace");
        put(alice, dehydratedDevice(alice, "OLDDEVICE"), 2);
        sendToDevice(bob, alice.userId(), "OLDDEVICE", "for the old device");
        assertEquals(1, storedMessages(alice.userId(), "OLDDEVICE"));

        put(alice, dehydratedDevice(alice, "NEWDEVICE"), 2);
        assertEquals("NEWDEVICE", client.ok(alice, "GET", DEHYDRATED, null).path("device_id").asText());
        assertEquals(0, storedMessages(alice.userId(), "OLDDEVICE"), "the old device's messages are gone");
        JsonNode devices = queriedDevices(bob, alice);
        assertFalse(devices.has("OLDDEVICE"), devices::toString);
        assertTrue(devices.has("NEWDEVICE"), devices::toString);
        client.fails(403, "M_FORBIDDEN", alice, "POST", DEHYDRATED + "/OLDDEVICE/events", obj());
        assertEquals(List.of(), bodies(events(alice, "NEWDEVICE", null, 100)));

        // The same device id again: a new device, with new keys, and nothing of the old one's.
        sendToDevice(bob, alice.userId(), "NEWDEVICE", "for the first NEWDEVICE");
        TestDevice again = dehydratedDevice(alice, "NEWDEVICE");
        put(alice, again, 1);
        assertEquals(List.of(), bodies(events(alice, "NEWDEVICE", null, 100)));
        assertEquals(again.signingKey.verifyKey().publicKeyBase64(),
                queriedDevices(bob, alice).path("NEWDEVICE").path("keys").path("ed25519:NEWDEVICE").asText());
    }

    @Test
    void deletingTheDehydratedDeviceAnswersItsIdAndItIsGone() {
        TestUser alice = hs.registerUser("alice-delete");
        TestUser bob = hs.registerUser("bob-delete");
        client.fails(404, "M_NOT_FOUND", alice, "DELETE", DEHYDRATED, null);
        put(alice, dehydratedDevice(alice, "DEHYDRATED4"), 1);
        assertEquals("DEHYDRATED4", client.ok(alice, "DELETE", DEHYDRATED, null).path("device_id").asText());

        client.fails(404, "M_NOT_FOUND", alice, "GET", DEHYDRATED, null);
        client.fails(404, "M_NOT_FOUND", alice, "DELETE", DEHYDRATED, null);
        assertFalse(queriedDevices(bob, alice).has("DEHYDRATED4"));
        assertFalse(client.ok(alice, "GET", V3 + "/devices", null).toString().contains("DEHYDRATED4"));
        client.fails(403, "M_FORBIDDEN", alice, "POST", DEHYDRATED + "/DEHYDRATED4/events", obj());
    }

    @Test
    void onlyTheOwnersCurrentDehydratedDeviceIsRead() {
        TestUser alice = hs.registerUser("alice-forbidden");
        TestUser bob = hs.registerUser("bob-forbidden");
        client.fails(403, "M_FORBIDDEN", alice, "POST", DEHYDRATED + "/ANY/events", obj());
        put(alice, dehydratedDevice(alice, "DEHYDRATED5"), 0);
        client.fails(403, "M_FORBIDDEN", alice, "POST", DEHYDRATED + "/" + alice.deviceId() + "/events", obj());
        client.fails(403, "M_FORBIDDEN", bob, "POST", DEHYDRATED + "/DEHYDRATED5/events", obj());
        client.fails(400, "M_INVALID_PARAM", alice, "POST", DEHYDRATED + "/DEHYDRATED5/events",
                obj().put("next_batch", "s12"));
        client.fails(400, "M_INVALID_PARAM", alice, "GET", DEHYDRATED + "/DEHYDRATED5/events?from=dx", null);
        client.fails(400, "M_INVALID_PARAM", alice, "POST", DEHYDRATED + "/DEHYDRATED5/events?limit=0", obj());
    }

    @Test
    void aDehydratedDevicesKeysAreCheckedAsKeysUploadChecksThemAndABadOneChangesNothing() {
        TestUser alice = hs.registerUser("alice-checked");
        TestUser bob = hs.registerUser("bob-checked");
        TestDevice kept = dehydratedDevice(alice, "KEPT");
        put(alice, kept, 1);
        TestDevice device = dehydratedDevice(alice, "REFUSED");

        ObjectNode forged = dehydrate(device, 1);
        SigningKey other = SigningKey.fromSeed("REFUSED", TestDevice.randomBytes());
        forged.set("device_keys", JsonSigning.sign(device.unsignedDeviceKeys(), alice.userId(), other));
        client.fails(400, "M_INVALID_SIGNATURE", alice, "PUT", DEHYDRATED, forged);

        ObjectNode otherId = dehydrate(device, 1).put("device_id", "ELSEWHERE");
        client.fails(400, "M_BAD_JSON", alice, "PUT", DEHYDRATED, otherId);

        ObjectNode othersKeys = dehydrate(dehydratedDevice(bob, "REFUSED"), 1);
        client.fails(400, "M_BAD_JSON", alice, "PUT", DEHYDRATED, othersKeys);

        ObjectNode noKeys = dehydrate(device, 1);
        noKeys.remove("device_keys");
        client.fails(400, "M_UNKNOWN", alice, "PUT", DEHYDRATED, noKeys);

        ObjectNode noAlgorithm = dehydrate(device, 1);
        noAlgorithm.putObject("device_data").put("device_pickle", "cGlja2xl");
        client.fails(400, "M_BAD_JSON", alice, "PUT", DEHYDRATED, noAlgorithm);

        ObjectNode noDeviceId = dehydrate(device, 1);
        noDeviceId.remove("device_id");
        client.fails(400, "M_BAD_JSON", alice, "PUT", DEHYDRATED, noDeviceId);

        ObjectNode badOneTimeKey = dehydrate(device, 1);
        ((ObjectNode) badOneTimeKey.get("one_time_keys")).put("no_colon", "abc");
        client.fails(400, "M_BAD_JSON", alice, "PUT", DEHYDRATED, badOneTimeKey);

        // A device the user is logged in on cannot become the dehydrated device.
        client.fails(400, "M_INVALID_PARAM", alice, "PUT", DEHYDRATED,
                dehydrate(dehydratedDevice(alice, alice.deviceId()), 1));

        assertEquals("KEPT", client.ok(alice, "GET", DEHYDRATED, null).path("device_id").asText());
        JsonNode devices = queriedDevices(bob, alice);
        assertTrue(devices.has("KEPT"), devices::toString);
        assertFalse(devices.has("REFUSED"), devices::toString);
        assertFalse(devices.has(alice.deviceId()), "alice's own device has no keys: " + devices);
        assertEquals(200, client.call(alice, "GET", V3 + "/sync?timeout=0", null).statusCode(),
                "alice's session is untouched");
    }

    @Test
    void concurrentReplacementsLeaveOneDehydratedDevice() throws Exception {
        TestUser alice = hs.registerUser("alice-concurrent");
        List<Callable<Integer>> puts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ObjectNode body = dehydrate(dehydratedDevice(alice, "RACE" + i), 2);
            puts.add(() -> client.call(alice, "PUT", DEHYDRATED, body).statusCode());
        }
        ExecutorService pool = Executors.newFixedThreadPool(puts.size());
        try {
            for (Future<Integer> status : pool.invokeAll(puts)) {
                assertEquals(200, status.get());
            }
        } finally {
            pool.shutdown();
        }
        String current = client.ok(alice, "GET", DEHYDRATED, null).path("device_id").asText();
        List<String> listed = new ArrayList<>();
        client.ok(alice, "GET", V3 + "/devices", null).path("devices")
                .forEach(d -> listed.add(d.path("device_id").asText()));
        assertEquals(List.of(alice.deviceId(), current).stream().sorted().toList(), listed,
                "the last replacement's device is the only one left beside alice's session");
    }

    @Test
    void roomMatesAreToldOfTheNewDevice() {
        TestUser alice = hs.registerUser("alice-lists");
        TestUser bob = hs.registerUser("bob-lists");
        String roomId = client.createRoom(alice);
        client.invite(alice, roomId, bob);
        client.join(bob, roomId);
        String since = client.sync(bob, null).path("next_batch").asText();
        put(alice, dehydratedDevice(alice, "DEHYDRATED6"), 1);
        assertTrue(KeysClient.strings(client.sync(bob, since).path("device_lists").path("changed"))
                .contains(alice.userId()));
    }
}
