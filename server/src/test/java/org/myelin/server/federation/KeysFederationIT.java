package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.http.Json;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;
import org.myelin.storage.keys.RemoteDeviceListRepository;

import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.federation.FederatedRooms.await;

/**
 * End-to-end encryption keys across servers (server-server API, "End-to-End Encryption",
 * "Device Management"): two real homeservers and fake peers. Keys are queried and claimed across
 * servers; device list changes travel as {@code m.device_list_update} EDUs into the remote
 * room-mates' /sync and /keys/query; a gap in {@code prev_id} makes the receiver resync; a peer
 * cannot speak for another server's users; a peer that does not answer is a failure.
 */
class KeysFederationIT {

    static final String V3 = "/_matrix/client/v3";
    static final SecureRandom RANDOM = new SecureRandom();
    static TestHomeserver a;
    static TestHomeserver b;
    static FakeRemoteServer fake;
    static FakeRemoteServer silent;

    @BeforeAll
    static void start() {
        a = TestHomeserver.start();
        b = TestHomeserver.start();
        fake = FakeRemoteServer.start();
        silent = FakeRemoteServer.start();
    }

    @AfterAll
    static void stop() {
        silent.close();
        fake.close();
        b.close();
        a.close();
    }

    // ---- keys across servers ----

    @Test
    void aUserOnBQueriesAndClaimsTheKeysOfAUserOnA() {
        TestUser alice = a.registerUser("alice-claim");
        TestUser bob = b.registerUser("bob-claim");
        SigningKey device = key(alice);
        ObjectNode upload = Json.MAPPER.createObjectNode();
        upload.set("device_keys", deviceKeys(alice, device));
        upload.putObject("one_time_keys").set("signed_curve25519:AAAA1",
                JsonSigning.sign(Json.MAPPER.createObjectNode().put("key", random()), alice.userId(), device));
        ok(a, alice, "POST", V3 + "/keys/upload", upload);

        JsonNode query = query(b, bob, alice.userId());
        assertEquals(0, query.path("failures").size(), query::toString);
        assertEquals(device.verifyKey().publicKeyBase64(), query.path("device_keys").path(alice.userId())
                .path(alice.deviceId()).path("keys").path(device.keyId()).asText(), query::toString);

        JsonNode first = claim(b, bob, alice);
        assertTrue(first.path("one_time_keys").path(alice.userId()).path(alice.deviceId())
                .has("signed_curve25519:AAAA1"), first::toString);
        JsonNode second = claim(b, bob, alice);
        assertFalse(second.path("one_time_keys").path(alice.userId()).path(alice.deviceId())
                .has("signed_curve25519:AAAA1"), "a one-time key is handed out once: " + second);
    }

    @Test
    void aUserOnBClaimsTheKeysOfADehydratedDeviceOnAAndSendsItAMessage() {
        TestUser alice = a.registerUser("alice-dehydrated");
        TestUser bob = b.registerUser("bob-dehydrated");
        String dehydratedDevice = "/_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device";
        TestUser dehydrated = new TestUser(alice.userId(), "DEHYDRATED", null, null);
        SigningKey device = key(dehydrated);
        ObjectNode put = Json.MAPPER.createObjectNode().put("device_id", "DEHYDRATED");
        put.putObject("device_data").put("algorithm", "org.matrix.msc3814.v1.olm").put("device_pickle", random());
        put.set("device_keys", deviceKeys(dehydrated, device));
        put.putObject("one_time_keys").set("signed_curve25519:AAAA1",
                JsonSigning.sign(Json.MAPPER.createObjectNode().put("key", random()), alice.userId(), device));
        ok(a, alice, "PUT", dehydratedDevice, put);

        JsonNode query = query(b, bob, alice.userId());
        assertEquals(device.verifyKey().publicKeyBase64(), query.path("device_keys").path(alice.userId())
                .path("DEHYDRATED").path("keys").path(device.keyId()).asText(), query::toString);
        JsonNode claimed = claim(b, bob, dehydrated);
        assertTrue(claimed.path("one_time_keys").path(alice.userId()).path("DEHYDRATED")
                .has("signed_curve25519:AAAA1"), claimed::toString);

        ObjectNode message = Json.MAPPER.createObjectNode();
        message.putObject("messages").putObject(alice.userId()).putObject("DEHYDRATED").put("body", "a room key");
        ok(b, bob, "PUT", V3 + "/sendToDevice/m.room.encrypted/dehydrated-" + System.nanoTime(), message);
        String events = dehydratedDevice + "/DEHYDRATED/events";
        await("alice's dehydrated device on A has bob's message",
                () -> ok(a, alice, "POST", events, json("{}")).path("events").size() == 1);
        JsonNode event = ok(a, alice, "POST", events, json("{}")).path("events").get(0);
        assertEquals(bob.userId(), event.path("sender").asText(), event::toString);
        assertEquals("m.room.encrypted", event.path("type").asText(), event::toString);
        assertEquals("a room key", event.path("content").path("body").asText(), event::toString);
    }

    @Test
    void aNewDeviceOnAReachesBsSyncAndKeysQueryAndADeletedOneGoesAway() {
        TestUser alice = a.registerUser("alice-lists");
        TestUser bob = b.registerUser("bob-lists");
        ok(a, alice, "POST", V3 + "/keys/upload", body("device_keys", deviceKeys(alice, key(alice))));
        String roomId = ok(a, alice, "POST", V3 + "/createRoom", json("{\"preset\":\"public_chat\"}"))
                .path("room_id").asText();
        ok(b, bob, "POST", V3 + "/join/" + TestHomeserver.enc(roomId) + "?via=" + a.serverName(), json("{}"));
        String since = sync(b, bob, null).path("next_batch").asText();

        TestUser phone = a.login(alice);
        ok(a, phone, "POST", V3 + "/keys/upload", body("device_keys", deviceKeys(phone, key(phone))));
        await("bob's /sync on B names alice in device_lists.changed", () -> strings(
                sync(b, bob, since).path("device_lists").path("changed")).contains(alice.userId()));
        await("B's /keys/query has alice's new device", () -> query(b, bob, alice.userId())
                .path("device_keys").path(alice.userId()).has(phone.deviceId()));

        ok(a, phone, "POST", V3 + "/logout", json("{}"));
        await("B's /keys/query no longer has alice's deleted device", () -> {
            JsonNode devices = query(b, bob, alice.userId()).path("device_keys").path(alice.userId());
            return devices.has(alice.deviceId()) && !devices.has(phone.deviceId());
        });
    }

    @Test
    void aLocalUsersDeviceAndCrossSigningChangesReachAPeerWhichCanResync() {
        TestUser bob = b.registerUser("bob-out");
        roomWithFakeMember(bob, fake.user("gina"));
        ok(b, bob, "POST", V3 + "/keys/upload", body("device_keys", deviceKeys(bob, key(bob))));
        await("the peer got bob's device list update", () -> !edus("m.device_list_update", bob.userId()).isEmpty());
        JsonNode update = edus("m.device_list_update", bob.userId()).getLast();
        assertEquals(bob.deviceId(), update.path("device_id").asText(), update::toString);
        assertEquals(bob.deviceId(), update.path("keys").path("device_id").asText(), update::toString);
        assertFalse(update.path("deleted").asBoolean(), update::toString);

        SigningKey master = SigningKey.fromSeed("x", seed());
        SigningKey selfSigning = SigningKey.fromSeed("x", seed());
        ObjectNode masterKey = crossSigningKey(bob.userId(), "master", master);
        ObjectNode selfSigningKey = signAs(crossSigningKey(bob.userId(), "self_signing", selfSigning), bob.userId(),
                master);
        ObjectNode upload = Json.MAPPER.createObjectNode();
        upload.set("master_key", masterKey);
        upload.set("self_signing_key", selfSigningKey);
        ok(b, bob, "POST", V3 + "/keys/device_signing/upload", upload);
        await("the peer got bob's signing key update", () -> !edus("m.signing_key_update", bob.userId()).isEmpty());
        assertEquals(masterKey.path("keys"), edus("m.signing_key_update", bob.userId()).getLast()
                .path("master_key").path("keys"));

        HttpResponse<String> r = fake.request(b, "GET", "/_matrix/federation/v1/user/devices/"
                + TestHomeserver.enc(bob.userId()), null);
        assertEquals(200, r.statusCode(), r::body);
        JsonNode devices = TestHomeserver.json(r);
        long lastSent = edus("m.device_list_update", bob.userId()).getLast().path("stream_id").asLong();
        assertEquals(lastSent, devices.path("stream_id").asLong(), devices::toString);
        assertEquals(bob.deviceId(), devices.path("devices").path(0).path("device_id").asText(), devices::toString);
        assertEquals(masterKey.path("keys"), devices.path("master_key").path("keys"), devices::toString);
        assertTrue(devices.path("self_signing_key").has("signatures"), devices::toString);

        ObjectNode query = Json.MAPPER.createObjectNode();
        query.putObject("device_keys").putArray(bob.userId());
        HttpResponse<String> q = fake.request(b, "POST", "/_matrix/federation/v1/user/keys/query", query);
        assertEquals(200, q.statusCode(), q::body);
        assertTrue(TestHomeserver.json(q).path("device_keys").path(bob.userId()).has(bob.deviceId()), q::body);
        assertEquals(400, fake.request(b, "GET", "/_matrix/federation/v1/user/devices/"
                + TestHomeserver.enc(fake.user("gina")), null).statusCode(), "not one of B's users");
    }

    @Test
    void aRenamedDeviceReachesAPeerWithItsNewName() {
        TestUser bob = b.registerUser("bob-rename");
        roomWithFakeMember(bob, fake.user("ivan"));
        ok(b, bob, "POST", V3 + "/keys/upload", body("device_keys", deviceKeys(bob, key(bob))));
        await("the peer got bob's device", () -> !edus("m.device_list_update", bob.userId()).isEmpty());
        long before = edus("m.device_list_update", bob.userId()).getLast().path("stream_id").asLong();

        ok(b, bob, "PUT", V3 + "/devices/" + TestHomeserver.enc(bob.deviceId()),
                json("{\"display_name\":\"Bob's phone\"}"));
        await("the peer got bob's renamed device", () -> "Bob's phone".equals(edus("m.device_list_update",
                bob.userId()).getLast().path("device_display_name").asText(null)));
        JsonNode renamed = edus("m.device_list_update", bob.userId()).getLast();
        assertEquals(bob.deviceId(), renamed.path("device_id").asText(), renamed::toString);
        assertEquals(before, renamed.path("prev_id").path(0).asLong(), renamed::toString);
        assertEquals(bob.deviceId(), renamed.path("keys").path("device_id").asText(), renamed::toString);
    }

    @Test
    void aSigningKeyUpdateReplacesTheCachedCrossSigningKeys() {
        TestUser bob = b.registerUser("bob-signing");
        String hank = fake.user("hank");
        roomWithFakeMember(bob, hank);
        fake.answer("/_matrix/federation/v1/user/devices/" + hank, devicesAnswer(hank, 1, "H1"));
        sendEdus(fake, deviceListUpdate(hank, "H1", 1, List.of()));
        await("B cached hank", () -> query(b, bob, hank).path("device_keys").path(hank).has("H1"));

        ObjectNode master = crossSigningKey(hank, "master", SigningKey.fromSeed("x", seed()));
        ObjectNode edu = Json.MAPPER.createObjectNode().put("edu_type", "m.signing_key_update");
        edu.putObject("content").put("user_id", hank).set("master_key", master);
        sendEdus(fake, edu);
        await("B's /keys/query has hank's new master key", () -> master.path("keys")
                .equals(query(b, bob, hank).path("master_keys").path(hank).path("keys")));
    }

    // ---- a fake peer's updates ----

    @Test
    void aGapInPrevIdMakesBResyncThroughUserDevices() {
        TestUser bob = b.registerUser("bob-gap");
        String carol = fake.user("carol");
        String roomId = roomWithFakeMember(bob, carol);
        String devicesPath = "/_matrix/federation/v1/user/devices/" + carol;
        fake.answer(devicesPath, devicesAnswer(carol, 5, "D1"));

        sendEdus(fake, deviceListUpdate(carol, "D1", 1, List.of()));
        await("B resynced carol and answers from its cache", () -> query(b, bob, carol)
                .path("device_keys").path(carol).has("D1"));
        assertEquals(1, resyncs(devicesPath));

        sendEdus(fake, deviceListUpdate(carol, "D2", 6, List.of(5L)));
        await("B applied the update that follows the resync", () -> query(b, bob, carol)
                .path("device_keys").path(carol).has("D2"));
        assertEquals(1, resyncs(devicesPath), "no resync when prev_id is known");

        fake.answer(devicesPath, devicesAnswer(carol, 9, "D1", "D2", "D3", "D4"));
        sendEdus(fake, deviceListUpdate(carol, "D3", 9, List.of(8L)));
        await("B resynced after the gap", () -> query(b, bob, carol).path("device_keys").path(carol).has("D4"));
        assertEquals(2, resyncs(devicesPath));
        assertTrue(roomId.startsWith("!"));
    }

    @Test
    void anUpdateAboutAnotherServersUserIsDropped() {
        TestUser bob = b.registerUser("bob-forged");
        String frank = fake.user("frank");
        String roomId = roomWithFakeMember(bob, frank);
        TestUser dave = a.registerUser("dave-forged");
        ok(a, dave, "POST", V3 + "/join/" + TestHomeserver.enc(roomId) + "?via=" + b.serverName(), json("{}"));
        String frankDevices = "/_matrix/federation/v1/user/devices/" + frank;
        fake.answer(frankDevices, devicesAnswer(frank, 1, "F1"));

        sendEdus(fake, deviceListUpdate(dave.userId(), "FORGED", 1, List.of()),
                deviceListUpdate(frank, "F1", 1, List.of()));
        await("B resynced frank, whose update came after the forged one", () -> query(b, bob, frank)
                .path("device_keys").path(frank).has("F1"));
        RemoteDeviceListRepository cache = new RemoteDeviceListRepository(b.homeserver().database().dataSource());
        assertEquals(Set.of(frank), cache.cached(List.of(dave.userId(), frank)).keySet(),
                "B took nothing from the fake server about A's user");
    }

    @Test
    void aServerThatDoesNotAnswerIsAFailure() {
        TestUser bob = b.registerUser("bob-silent");
        silent.hold("user"); // every /user/… request, never released
        ObjectNode body = Json.MAPPER.createObjectNode().put("timeout", 500);
        body.putObject("device_keys").putArray(silent.user("erin"));
        JsonNode answer = ok(b, bob, "POST", V3 + "/keys/query", body);
        assertTrue(answer.path("failures").path(silent.serverName()).path("error").asText().contains("in time"),
                answer::toString);
    }

    // ---- helpers ----

    private static String roomWithFakeMember(TestUser bob, String member) {
        String roomId = ok(b, bob, "POST", V3 + "/createRoom", json("{\"preset\":\"public_chat\"}"))
                .path("room_id").asText();
        Pdu join = FederatedRooms.remoteEvent(b, roomId, member, "m.room.member", member,
                FederatedRooms.content("membership", "join"), fake.serverName(), fake.signingKey());
        FederatedRooms.accepted(FederatedRooms.rooms(b).pipeline.submit(new Input.RemoteEvent(join, fake.serverName())));
        return roomId;
    }

    private static List<JsonNode> edus(String type, String userId) {
        List<JsonNode> found = new java.util.ArrayList<>();
        for (FakeRemoteServer.Transaction t : fake.transactions()) {
            for (JsonNode edu : t.body().path("edus")) {
                if (type.equals(edu.path("edu_type").asText()) && userId.equals(edu.path("content").path("user_id").asText())) {
                    found.add(edu.path("content"));
                }
            }
        }
        return found;
    }

    private static ObjectNode crossSigningKey(String userId, String usage, SigningKey key) {
        String pub = key.verifyKey().publicKeyBase64();
        ObjectNode json = Json.MAPPER.createObjectNode().put("user_id", userId);
        json.putArray("usage").add(usage);
        json.putObject("keys").put("ed25519:" + pub, pub);
        return json;
    }

    /** {@code object} signed by a cross-signing key, whose id ({@code ed25519:<public key>}) SigningKey cannot name. */
    private static ObjectNode signAs(ObjectNode object, String signer, SigningKey key) {
        ObjectNode signed = object.deepCopy();
        String signature = UnpaddedBase64.encode(key.sign(JsonSigning.signedBytes(object)));
        signed.putObject("signatures").putObject(signer).put("ed25519:" + key.verifyKey().publicKeyBase64(), signature);
        return signed;
    }

    private static byte[] seed() {
        byte[] seed = new byte[32];
        RANDOM.nextBytes(seed);
        return seed;
    }

    private static long resyncs(String path) {
        return fake.requests().stream().filter(path::equals).count();
    }

    private static int txn;

    private static void sendEdus(FakeRemoteServer from, ObjectNode... edus) {
        HttpResponse<String> r = from.request(b, "PUT", "/_matrix/federation/v1/send/keys-" + (++txn) + "-"
                + System.nanoTime(), from.transactionOf(List.of(), List.of(edus)));
        assertEquals(200, r.statusCode(), r::body);
    }

    static ObjectNode deviceListUpdate(String userId, String deviceId, long streamId, List<Long> prevIds) {
        ObjectNode content = Json.MAPPER.createObjectNode().put("user_id", userId).put("device_id", deviceId)
                .put("stream_id", streamId).put("deleted", false);
        prevIds.forEach(content.putArray("prev_id")::add);
        content.set("keys", remoteKeys(userId, deviceId));
        ObjectNode edu = Json.MAPPER.createObjectNode().put("edu_type", "m.device_list_update");
        edu.set("content", content);
        return edu;
    }

    static ObjectNode devicesAnswer(String userId, long streamId, String... deviceIds) {
        ObjectNode answer = Json.MAPPER.createObjectNode().put("user_id", userId).put("stream_id", streamId);
        var devices = answer.putArray("devices");
        for (String d : deviceIds) {
            devices.addObject().put("device_id", d).set("keys", remoteKeys(userId, d));
        }
        return answer;
    }

    static ObjectNode remoteKeys(String userId, String deviceId) {
        ObjectNode keys = Json.MAPPER.createObjectNode().put("user_id", userId).put("device_id", deviceId);
        keys.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2");
        keys.putObject("keys").put("curve25519:" + deviceId, random());
        return keys;
    }

    static SigningKey key(TestUser user) {
        byte[] seed = new byte[32];
        RANDOM.nextBytes(seed);
        return SigningKey.fromSeed(user.deviceId(), seed);
    }

    static ObjectNode deviceKeys(TestUser user, SigningKey key) {
        ObjectNode keys = Json.MAPPER.createObjectNode().put("user_id", user.userId()).put("device_id", user.deviceId());
        keys.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2").add("m.megolm.v1.aes-sha2");
        keys.putObject("keys").put("curve25519:" + user.deviceId(), random())
                .put(key.keyId(), key.verifyKey().publicKeyBase64());
        return JsonSigning.sign(keys, user.userId(), key);
    }

    static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return UnpaddedBase64.encode(bytes);
    }

    static JsonNode query(TestHomeserver hs, TestUser user, String target) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("timeout", 2000);
        body.putObject("device_keys").putArray(target);
        return ok(hs, user, "POST", V3 + "/keys/query", body);
    }

    private static JsonNode claim(TestHomeserver hs, TestUser user, TestUser target) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("one_time_keys").putObject(target.userId()).put(target.deviceId(), "signed_curve25519");
        return ok(hs, user, "POST", V3 + "/keys/claim", body);
    }

    private static JsonNode sync(TestHomeserver hs, TestUser user, String since) {
        return ok(hs, user, "GET", V3 + "/sync?timeout=0" + (since == null ? "" : "&since=" + TestHomeserver.enc(since)),
                null);
    }

    static ObjectNode body(String field, JsonNode value) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set(field, value);
        return body;
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static JsonNode ok(TestHomeserver hs, TestUser user, String method, String path, JsonNode body) {
        HttpResponse<String> r = hs.authed(user.accessToken(), method, path, body == null ? null : body.toString());
        assertEquals(200, r.statusCode(), () -> method + " " + path + ": " + r.body());
        return TestHomeserver.json(r);
    }
}
