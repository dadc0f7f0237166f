package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.server.http.Json;
import org.myelin.server.testing.TestUser;

import java.security.SecureRandom;

/**
 * A client device's end-to-end encryption keys, made as a client makes them: a real Ed25519
 * signing key named {@code ed25519:<device_id>} that signs the device keys and the one-time keys,
 * and a Curve25519 identity key (random bytes: the server never uses it).
 */
final class TestDevice {

    private static final SecureRandom RANDOM = new SecureRandom();

    final TestUser user;
    final SigningKey signingKey;
    final String curve25519;

    TestDevice(TestUser user) {
        this.user = user;
        this.signingKey = SigningKey.fromSeed(user.deviceId(), randomBytes());
        this.curve25519 = UnpaddedBase64.encode(randomBytes());
    }

    static byte[] randomBytes() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** The device keys, unsigned. */
    ObjectNode unsignedDeviceKeys() {
        ObjectNode keys = Json.MAPPER.createObjectNode().put("user_id", user.userId()).put("device_id", user.deviceId());
        keys.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2").add("m.megolm.v1.aes-sha2");
        keys.putObject("keys").put("curve25519:" + user.deviceId(), curve25519)
                .put(signingKey.keyId(), signingKey.verifyKey().publicKeyBase64());
        return keys;
    }

    /** The device keys signed by the device, as a client uploads them. */
    ObjectNode deviceKeys() {
        return sign(unsignedDeviceKeys());
    }

    /** {@code object} signed by this device's key. */
    ObjectNode sign(ObjectNode object) {
        return JsonSigning.sign(object, user.userId(), signingKey);
    }

    /** {@code count} signed curve25519 one-time keys, {@code AAAA<first>} onwards. */
    ObjectNode oneTimeKeys(int first, int count) {
        ObjectNode keys = Json.MAPPER.createObjectNode();
        for (int i = first; i < first + count; i++) {
            keys.set("signed_curve25519:AAAA" + i, sign(Json.MAPPER.createObjectNode()
                    .put("key", UnpaddedBase64.encode(randomBytes()))));
        }
        return keys;
    }

    /** A signed fallback key. */
    ObjectNode fallbackKey(String keyId) {
        ObjectNode keys = Json.MAPPER.createObjectNode();
        keys.set("signed_curve25519:" + keyId, sign(Json.MAPPER.createObjectNode()
                .put("key", UnpaddedBase64.encode(randomBytes())).put("fallback", true)));
        return keys;
    }
}
