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

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.keys.KeysClient.V3;
import static org.myelin.server.client.keys.KeysClient.obj;

/** Device keys, one-time keys and fallback keys (client-server API, "Key management API"). */
class KeysIT {

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

    @Test
    void uploadedKeysAreWhatAnotherUserQueries() {
        TestUser alice = hs.registerUser("alice-roundtrip");
        TestUser bob = hs.registerUser("bob-roundtrip");
        TestDevice device = new TestDevice(alice);
        ObjectNode body = obj();
        body.set("device_keys", device.deviceKeys());
        body.set("one_time_keys", device.oneTimeKeys(0, 5));
        JsonNode uploaded = client.upload(alice, body);
        assertEquals(5, uploaded.path("one_time_key_counts").path("signed_curve25519").asInt(), uploaded::toString);

        JsonNode answer = client.query(bob, alice.userId(), "@nobody-here:" + hs.serverName());
        JsonNode keys = answer.path("device_keys").path(alice.userId()).path(alice.deviceId());
        ObjectNode expected = device.deviceKeys();
        ObjectNode got = keys.deepCopy();
        got.remove("unsigned");
        assertEquals(expected, got, answer::toString);
        assertTrue(keys.path("unsigned").has("device_display_name") || !keys.has("unsigned"), keys::toString);
        assertTrue(JsonSigning.verify((ObjectNode) keys, alice.userId(), device.signingKey.verifyKey()),
                "the device's signature still verifies");
        assertEquals(obj(), answer.path("device_keys").path("@nobody-here:" + hs.serverName()));
        assertEquals(obj(), answer.path("failures"));
        assertTrue(answer.path("master_keys").isObject());
    }

    @Test
    void aQueryNamingDevicesGetsThoseAndOneNamingNoneGetsAll() {
        TestUser alice = hs.registerUser("alice-named");
        TestUser alicePhone = hs.login(alice);
        TestUser bob = hs.registerUser("bob-named");
        TestUser bobPhone = hs.login(bob);
        for (TestUser device : List.of(alice, alicePhone, bob, bobPhone)) {
            ObjectNode body = obj();
            body.set("device_keys", new TestDevice(device).deviceKeys());
            client.upload(device, body);
        }
        ObjectNode query = obj();
        ObjectNode asked = query.putObject("device_keys");
        asked.putArray(alice.userId()).add(alicePhone.deviceId()).add("NO-SUCH-DEVICE");
        asked.putArray(bob.userId());
        JsonNode answer = client.ok(alice, "POST", V3 + "/keys/query", query);
        assertEquals(Set.of(alicePhone.deviceId()), fieldNames(answer.path("device_keys").path(alice.userId())),
                answer::toString);
        assertEquals(Set.of(bob.deviceId(), bobPhone.deviceId()), fieldNames(answer.path("device_keys").path(bob.userId())),
                answer::toString);
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new HashSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void theDeviceDisplayNameIsUnsigned() {
        TestUser alice = hs.registerUser("alice-name");
        client.ok(alice, "PUT", V3 + "/devices/" + alice.deviceId(), obj().put("display_name", "Alice's phone"));
        client.upload(alice, deviceKeysBody(new TestDevice(alice)));
        JsonNode keys = client.query(alice, alice.userId()).path("device_keys").path(alice.userId())
                .path(alice.deviceId());
        assertEquals("Alice's phone", keys.path("unsigned").path("device_display_name").asText(), keys::toString);

        // A second query after a rename: what a query answered is not kept past a change of the device list.
        client.ok(alice, "PUT", V3 + "/devices/" + alice.deviceId(), obj().put("display_name", "Alice's tablet"));
        keys = client.query(alice, alice.userId()).path("device_keys").path(alice.userId()).path(alice.deviceId());
        assertEquals("Alice's tablet", keys.path("unsigned").path("device_display_name").asText(), keys::toString);
    }

    @Test
    void aNewDeviceIsInTheNextQueryOfItsUser() {
        TestUser alice = hs.registerUser("alice-newdevice");
        client.upload(alice, deviceKeysBody(new TestDevice(alice)));
        assertEquals(Set.of(alice.deviceId()), fieldNames(client.query(alice, alice.userId())
                .path("device_keys").path(alice.userId())));
        TestUser phone = hs.login(alice);
        client.upload(phone, deviceKeysBody(new TestDevice(phone)));
        assertEquals(Set.of(alice.deviceId(), phone.deviceId()), fieldNames(client.query(alice, alice.userId())
                .path("device_keys").path(alice.userId())));
    }

    @Test
    void deviceKeysNotSignedByTheDeviceAreRefused() {
        TestUser alice = hs.registerUser("alice-forged");
        TestDevice device = new TestDevice(alice);
        ObjectNode unsigned = obj();
        unsigned.set("device_keys", device.unsignedDeviceKeys());
        client.fails(400, "M_INVALID_SIGNATURE", alice, "POST", V3 + "/keys/upload", unsigned);

        SigningKey other = SigningKey.fromSeed(alice.deviceId(), TestDevice.randomBytes());
        ObjectNode forged = obj();
        forged.set("device_keys", JsonSigning.sign(device.unsignedDeviceKeys(), alice.userId(), other));
        client.fails(400, "M_INVALID_SIGNATURE", alice, "POST", V3 + "/keys/upload", forged);

        ObjectNode tampered = obj();
        ObjectNode keys = device.deviceKeys();
        ((ObjectNode) keys.get("keys")).put("curve25519:" + alice.deviceId(), "c29tZXRoaW5nIGVsc2U");
        tampered.set("device_keys", keys);
        client.fails(400, "M_INVALID_SIGNATURE", alice, "POST", V3 + "/keys/upload", tampered);

        assertEquals(obj(), client.query(alice, alice.userId()).path("device_keys").path(alice.userId()),
                "nothing stored");
    }

    @Test
    void deviceKeysMustNameTheRequestersUserAndDevice() {
        TestUser alice = hs.registerUser("alice-owner");
        TestUser bob = hs.registerUser("bob-owner");
        ObjectNode othersDevice = deviceKeysBody(new TestDevice(bob));
        client.fails(400, "M_BAD_JSON", alice, "POST", V3 + "/keys/upload", othersDevice);

        TestUser alicesLaptop = hs.login(alice);
        client.fails(400, "M_BAD_JSON", alice, "POST", V3 + "/keys/upload", deviceKeysBody(new TestDevice(alicesLaptop)));
        assertEquals(obj(), client.query(alice, alice.userId()).path("device_keys").path(alice.userId()));
    }

    @Test
    void aDevicesKeysCannotBeReplacedButTheirSignaturesCan() {
        TestUser alice = hs.registerUser("alice-replace");
        TestDevice device = new TestDevice(alice);
        client.upload(alice, deviceKeysBody(device));
        client.upload(alice, deviceKeysBody(device)); // the same keys again: nothing changes
        client.fails(400, "M_INVALID_PARAM", alice, "POST", V3 + "/keys/upload", deviceKeysBody(new TestDevice(alice)));
        JsonNode keys = client.query(alice, alice.userId()).path("device_keys").path(alice.userId())
                .path(alice.deviceId());
        assertEquals(device.signingKey.verifyKey().publicKeyBase64(),
                keys.path("keys").path("ed25519:" + alice.deviceId()).asText(), "the first keys stay");

        ObjectNode resigned = device.deviceKeys();
        ((ObjectNode) resigned.get("signatures").get(alice.userId())).put("ed25519:someotherkey", "c2lnbmF0dXJl");
        ObjectNode body = obj();
        body.set("device_keys", resigned);
        client.upload(alice, body);
        assertEquals("c2lnbmF0dXJl", client.query(alice, alice.userId()).path("device_keys").path(alice.userId())
                .path(alice.deviceId()).path("signatures").path(alice.userId()).path("ed25519:someotherkey").asText());
    }

    @Test
    void aOneTimeKeyIdCannotBeReusedForAnotherKey() {
        TestUser alice = hs.registerUser("alice-otk-reuse");
        TestDevice device = new TestDevice(alice);
        ObjectNode first = obj();
        first.set("one_time_keys", device.oneTimeKeys(0, 2));
        client.upload(alice, first);
        JsonNode same = client.upload(alice, first);
        assertEquals(2, same.path("one_time_key_counts").path("signed_curve25519").asInt(), "the same keys again: kept once");

        ObjectNode other = obj();
        other.set("one_time_keys", device.oneTimeKeys(1, 1));
        client.fails(400, "M_UNKNOWN", alice, "POST", V3 + "/keys/upload", other);
    }

    @Test
    void concurrentClaimsNeverHandOutAKeyTwice() throws Exception {
        TestUser alice = hs.registerUser("alice-claims");
        TestUser bob = hs.registerUser("bob-claims");
        TestDevice device = new TestDevice(alice);
        ObjectNode body = deviceKeysBody(device);
        body.set("one_time_keys", device.oneTimeKeys(0, 20));
        client.upload(alice, body);

        List<Callable<String>> claims = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            claims.add(() -> {
                JsonNode keys = client.claim(bob, alice, "signed_curve25519").path("one_time_keys")
                        .path(alice.userId()).path(alice.deviceId());
                Iterator<String> ids = keys.fieldNames();
                return ids.hasNext() ? ids.next() : null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<String> claimed = new ArrayList<>();
        try {
            for (Future<String> f : pool.invokeAll(claims)) {
                if (f.get() != null) {
                    claimed.add(f.get());
                }
            }
        } finally {
            pool.shutdown();
        }
        Set<String> distinct = new HashSet<>(claimed);
        assertEquals(claimed.size(), distinct.size(), () -> "a key was handed out twice: " + claimed);
        assertEquals(20, distinct.size(), () -> "every key handed out once: " + claimed);
        assertEquals(0, client.sync(alice, null).path("device_one_time_keys_count").path("signed_curve25519").asInt());
    }

    @Test
    void theFallbackKeyIsHandedOutWhenNoOneTimeKeyIsLeftAndMarkedUsed() {
        TestUser alice = hs.registerUser("alice-fallback");
        TestUser bob = hs.registerUser("bob-fallback");
        TestDevice device = new TestDevice(alice);
        ObjectNode body = deviceKeysBody(device);
        body.set("one_time_keys", device.oneTimeKeys(0, 1));
        body.set("fallback_keys", device.fallbackKey("FALLBACK1"));
        client.upload(alice, body);
        JsonNode before = client.sync(alice, null);
        assertEquals(List.of("signed_curve25519"), KeysClient.strings(before.path("device_unused_fallback_key_types")));
        assertEquals(1, before.path("device_one_time_keys_count").path("signed_curve25519").asInt(), before::toString);

        JsonNode first = client.claim(bob, alice, "signed_curve25519").path("one_time_keys").path(alice.userId())
                .path(alice.deviceId());
        assertTrue(first.has("signed_curve25519:AAAA0"), first::toString);
        for (int i = 0; i < 2; i++) {
            JsonNode fallback = client.claim(bob, alice, "signed_curve25519").path("one_time_keys")
                    .path(alice.userId()).path(alice.deviceId());
            assertTrue(fallback.has("signed_curve25519:FALLBACK1"), fallback::toString);
            assertTrue(fallback.path("signed_curve25519:FALLBACK1").path("fallback").asBoolean());
        }
        JsonNode after = client.sync(alice, before.path("next_batch").asText());
        assertEquals(List.of(), KeysClient.strings(after.path("device_unused_fallback_key_types")), after::toString);
        assertEquals(0, after.path("device_one_time_keys_count").path("signed_curve25519").asInt());

        ObjectNode sameAgain = obj();
        sameAgain.set("fallback_keys", body.get("fallback_keys"));
        client.upload(alice, sameAgain);
        assertEquals(List.of(), KeysClient.strings(client.sync(alice, null).path("device_unused_fallback_key_types")),
                "the same key again stays used");
        ObjectNode unstableName = obj();
        unstableName.set("org.matrix.msc2732.fallback_keys", device.fallbackKey("FALLBACK2"));
        client.upload(alice, unstableName);
        assertEquals(List.of("signed_curve25519"),
                KeysClient.strings(client.sync(alice, null).path("device_unused_fallback_key_types")));
    }

    @Test
    void syncCountsTheDevicesOneTimeKeys() {
        TestUser alice = hs.registerUser("alice-counts");
        TestUser bob = hs.registerUser("bob-counts");
        JsonNode empty = client.sync(alice, null);
        assertEquals(0, empty.path("device_one_time_keys_count").path("signed_curve25519").asInt(-1), empty::toString);
        JsonNode noneUploaded = client.upload(alice, obj());
        assertEquals(0, noneUploaded.path("one_time_key_counts").path("signed_curve25519").asInt(-1),
                noneUploaded::toString);
        assertTrue(empty.path("device_unused_fallback_key_types").isArray(), empty::toString);

        TestDevice device = new TestDevice(alice);
        ObjectNode body = deviceKeysBody(device);
        body.set("one_time_keys", device.oneTimeKeys(0, 3));
        client.upload(alice, body);
        String since = empty.path("next_batch").asText();
        assertEquals(3, client.sync(alice, since).path("device_one_time_keys_count").path("signed_curve25519").asInt());
        client.claim(bob, alice, "signed_curve25519");
        assertEquals(2, client.sync(alice, since).path("device_one_time_keys_count").path("signed_curve25519").asInt());
        TestUser otherDevice = hs.login(alice);
        assertEquals(0, client.sync(otherDevice, null).path("device_one_time_keys_count").path("signed_curve25519")
                .asInt(), "counts are per device");
    }

    @Test
    void deletingADeviceDeletesItsKeys() {
        TestUser alice = hs.registerUser("alice-delete");
        TestUser phone = hs.login(alice);
        TestDevice device = new TestDevice(phone);
        ObjectNode body = deviceKeysBody(device);
        body.set("one_time_keys", device.oneTimeKeys(0, 3));
        client.upload(phone, body);
        assertTrue(client.query(alice, alice.userId()).path("device_keys").path(alice.userId()).has(phone.deviceId()));

        ObjectNode delete = obj();
        delete.putObject("auth").put("type", "m.login.password").put("password", alice.password())
                .putObject("identifier").put("type", "m.id.user").put("user", alice.userId());
        client.ok(alice, "DELETE", V3 + "/devices/" + phone.deviceId(), delete);
        assertFalse(client.query(alice, alice.userId()).path("device_keys").path(alice.userId()).has(phone.deviceId()));
        JsonNode claimed = client.claim(alice, phone, "signed_curve25519");
        assertEquals(obj(), claimed.path("one_time_keys"), claimed::toString);
    }

    @Test
    void usersOfOtherServersAreFailuresForNow() {
        TestUser alice = hs.registerUser("alice-remote");
        JsonNode answer = client.query(alice, "@someone:elsewhere.example");
        assertTrue(answer.path("failures").has("elsewhere.example"), answer::toString);
        ObjectNode claim = obj();
        claim.putObject("one_time_keys").putObject("@someone:elsewhere.example").put("DEV", "signed_curve25519");
        assertTrue(client.ok(alice, "POST", V3 + "/keys/claim", claim).path("failures").has("elsewhere.example"));
    }

    @Test
    void malformedRequestsAreMatrixErrors() {
        TestUser alice = hs.registerUser("alice-malformed");
        client.fails(400, "M_BAD_JSON", alice, "POST", V3 + "/keys/query", obj().put("device_keys", "nope"));
        ObjectNode notAList = obj();
        notAList.putObject("device_keys").put(alice.userId(), "DEVICE");
        client.fails(400, "M_BAD_JSON", alice, "POST", V3 + "/keys/query", notAList);
        client.fails(400, "M_BAD_JSON", alice, "POST", V3 + "/keys/claim", obj());
        ObjectNode badKeyId = obj();
        badKeyId.putObject("one_time_keys").put("no_colon", "abc");
        client.fails(400, "M_BAD_JSON", alice, "POST", V3 + "/keys/upload", badKeyId);
        ObjectNode nullKeys = obj();
        nullKeys.putNull("device_keys");
        client.fails(400, "M_BAD_JSON", alice, "POST", V3 + "/keys/upload", nullKeys);
    }

    static ObjectNode deviceKeysBody(TestDevice device) {
        ObjectNode body = obj();
        body.set("device_keys", device.deviceKeys());
        return body;
    }
}
