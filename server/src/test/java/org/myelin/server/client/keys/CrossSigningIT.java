package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.keys.KeysClient.V3;
import static org.myelin.server.client.keys.KeysClient.obj;

/** Cross-signing keys and signatures (client-server API, "Cross-signing"), with real Ed25519 signatures. */
class CrossSigningIT {

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

    /**
     * A cross-signing key as a client makes one: an Ed25519 key whose id is
     * {@code ed25519:<public key>} (which SigningKey cannot name, so signatures are made by hand).
     */
    record CrossKey(String userId, String usage, SigningKey key) {
        static CrossKey of(String userId, String usage) {
            return new CrossKey(userId, usage, SigningKey.fromSeed("x", TestDevice.randomBytes()));
        }

        String publicKey() {
            return key.verifyKey().publicKeyBase64();
        }

        String keyId() {
            return "ed25519:" + publicKey();
        }

        ObjectNode json() {
            ObjectNode json = obj().put("user_id", userId);
            json.putArray("usage").add(usage);
            json.putObject("keys").put(keyId(), publicKey());
            return json;
        }

        /** {@code object} with this key's signature added under {@code signer}. */
        ObjectNode sign(ObjectNode object, String signer) {
            ObjectNode signed = object.deepCopy();
            String signature = UnpaddedBase64.encode(key.sign(JsonSigning.signedBytes(object)));
            JsonNode all = signed.get("signatures");
            ObjectNode signatures = all instanceof ObjectNode o ? o : signed.putObject("signatures");
            JsonNode mine = signatures.get(signer);
            (mine instanceof ObjectNode o ? o : signatures.putObject(signer)).put(keyId(), signature);
            return signed;
        }
    }

    record Identity(CrossKey master, CrossKey selfSigning, CrossKey userSigning) {
        static Identity of(String userId) {
            return new Identity(CrossKey.of(userId, "master"), CrossKey.of(userId, "self_signing"),
                    CrossKey.of(userId, "user_signing"));
        }

        ObjectNode uploadBody() {
            ObjectNode body = obj();
            body.set("master_key", master.json());
            body.set("self_signing_key", master.sign(selfSigning.json(), master.userId()));
            body.set("user_signing_key", master.sign(userSigning.json(), master.userId()));
            return body;
        }
    }

    private static ObjectNode passwordAuth(TestUser user, String session) {
        ObjectNode auth = obj().put("type", "m.login.password").put("password", user.password()).put("session", session);
        auth.putObject("identifier").put("type", "m.id.user").put("user", user.userId());
        return auth;
    }

    @Test
    void theFirstUploadNeedsNoAuthAndAReplacementDoes() {
        TestUser alice = hs.registerUser("alice-xs");
        TestUser bob = hs.registerUser("bob-xs");
        Identity first = Identity.of(alice.userId());
        client.ok(alice, "POST", V3 + "/keys/device_signing/upload", first.uploadBody());
        client.ok(alice, "POST", V3 + "/keys/device_signing/upload", first.uploadBody()); // a retry: the same keys

        JsonNode asBob = client.query(bob, alice.userId());
        assertEquals(first.master().json(), asBob.path("master_keys").path(alice.userId()), asBob::toString);
        assertEquals(first.selfSigning().keyId(), asBob.path("self_signing_keys").path(alice.userId()).path("keys")
                .fieldNames().next());
        assertFalse(asBob.path("user_signing_keys").has(alice.userId()), "only for its owner");
        JsonNode asAlice = client.query(alice, alice.userId());
        assertTrue(asAlice.path("user_signing_keys").has(alice.userId()), asAlice::toString);

        Identity second = Identity.of(alice.userId());
        JsonNode challenge = client.fails(401, "", alice, "POST", V3 + "/keys/device_signing/upload",
                second.uploadBody());
        assertEquals("m.login.password", challenge.path("flows").get(0).path("stages").get(0).asText(),
                challenge::toString);
        ObjectNode authed = second.uploadBody();
        authed.set("auth", passwordAuth(alice, challenge.path("session").asText()));
        client.ok(alice, "POST", V3 + "/keys/device_signing/upload", authed);
        assertEquals(second.master().json(), client.query(bob, alice.userId()).path("master_keys").path(alice.userId()));
    }

    @Test
    void aSelfSigningKeyNotSignedByTheMasterKeyIsRefused() {
        TestUser alice = hs.registerUser("alice-xs-bad");
        Identity identity = Identity.of(alice.userId());
        ObjectNode body = identity.uploadBody();
        CrossKey impostor = CrossKey.of(alice.userId(), "master");
        body.set("self_signing_key", impostor.sign(identity.selfSigning().json(), alice.userId()));
        client.fails(400, "M_INVALID_SIGNATURE", alice, "POST", V3 + "/keys/device_signing/upload", body);
        ObjectNode noMaster = obj();
        noMaster.set("self_signing_key", identity.master().sign(identity.selfSigning().json(), alice.userId()));
        client.fails(400, "M_MISSING_PARAM", alice, "POST", V3 + "/keys/device_signing/upload", noMaster);
        assertFalse(client.query(alice, alice.userId()).path("master_keys").has(alice.userId()), "nothing stored");
    }

    @Test
    void signaturesAreCheckedBeforeTheyAreStored() {
        TestUser alice = hs.registerUser("alice-sigs");
        TestUser bob = hs.registerUser("bob-sigs");
        TestDevice device = new TestDevice(alice);
        client.upload(alice, KeysIT.deviceKeysBody(device));
        Identity identity = Identity.of(alice.userId());
        client.ok(alice, "POST", V3 + "/keys/device_signing/upload", identity.uploadBody());

        ObjectNode forged = obj();
        forged.putObject(alice.userId()).set(alice.deviceId(),
                CrossKey.of(alice.userId(), "self_signing").sign(device.deviceKeys(), alice.userId()));
        // The forger's key id is not the self-signing key's: give the signature under the right id.
        ObjectNode wrongSignature = device.deviceKeys();
        ((ObjectNode) wrongSignature.get("signatures").get(alice.userId()))
                .put(identity.selfSigning().keyId(), UnpaddedBase64.encode(new byte[64]));
        ObjectNode bad = obj();
        bad.putObject(alice.userId()).set(alice.deviceId(), wrongSignature);
        JsonNode refused = client.ok(alice, "POST", V3 + "/keys/signatures/upload", bad);
        assertEquals("M_INVALID_SIGNATURE", refused.path("failures").path(alice.userId()).path(alice.deviceId())
                .path("errcode").asText(), refused::toString);
        assertFalse(client.query(bob, alice.userId()).path("device_keys").path(alice.userId()).path(alice.deviceId())
                .path("signatures").path(alice.userId()).has(identity.selfSigning().keyId()), "not stored");
        JsonNode alsoRefused = client.ok(alice, "POST", V3 + "/keys/signatures/upload", forged);
        assertEquals("M_INVALID_SIGNATURE", alsoRefused.path("failures").path(alice.userId()).path(alice.deviceId())
                .path("errcode").asText(), alsoRefused::toString);

        ObjectNode good = obj();
        good.putObject(alice.userId()).set(alice.deviceId(), identity.selfSigning().sign(device.deviceKeys(),
                alice.userId()));
        JsonNode accepted = client.ok(alice, "POST", V3 + "/keys/signatures/upload", good);
        assertEquals(obj(), accepted.path("failures"), accepted::toString);
        JsonNode deviceKeys = client.query(bob, alice.userId()).path("device_keys").path(alice.userId())
                .path(alice.deviceId());
        ObjectNode signed = (ObjectNode) deviceKeys;
        assertTrue(JsonSigning.verify(signed, alice.userId(), device.signingKey.verifyKey()));
        assertTrue(signed.path("signatures").path(alice.userId()).has(identity.selfSigning().keyId()),
                deviceKeys::toString);

        ObjectNode masterByDevice = obj();
        masterByDevice.putObject(alice.userId()).set(identity.master().publicKey(),
                device.sign(identity.master().json()));
        assertEquals(obj(), client.ok(alice, "POST", V3 + "/keys/signatures/upload", masterByDevice).path("failures"));
        assertTrue(client.query(bob, alice.userId()).path("master_keys").path(alice.userId()).path("signatures")
                .path(alice.userId()).has("ed25519:" + alice.deviceId()));
    }

    @Test
    void aUserSigningSignatureIsSeenByItsSignerOnly() {
        TestUser alice = hs.registerUser("alice-usk");
        TestUser bob = hs.registerUser("bob-usk");
        TestUser carol = hs.registerUser("carol-usk");
        Identity alices = Identity.of(alice.userId());
        Identity bobs = Identity.of(bob.userId());
        client.ok(alice, "POST", V3 + "/keys/device_signing/upload", alices.uploadBody());
        client.ok(bob, "POST", V3 + "/keys/device_signing/upload", bobs.uploadBody());

        ObjectNode body = obj();
        body.putObject(alice.userId()).set(alices.master().publicKey(),
                bobs.userSigning().sign(alices.master().json(), bob.userId()));
        assertEquals(obj(), client.ok(bob, "POST", V3 + "/keys/signatures/upload", body).path("failures"));
        assertTrue(client.query(bob, alice.userId()).path("master_keys").path(alice.userId()).path("signatures")
                .path(bob.userId()).has(bobs.userSigning().keyId()));
        assertFalse(client.query(carol, alice.userId()).path("master_keys").path(alice.userId()).path("signatures")
                .has(bob.userId()));

        ObjectNode tampered = alices.master().json();
        tampered.put("extra", "not what was stored");
        ObjectNode mismatch = obj();
        mismatch.putObject(alice.userId()).set(alices.master().publicKey(),
                bobs.userSigning().sign(tampered, bob.userId()));
        JsonNode refused = client.ok(bob, "POST", V3 + "/keys/signatures/upload", mismatch);
        assertTrue(refused.path("failures").path(alice.userId()).has(alices.master().publicKey()), refused::toString);
    }
}
