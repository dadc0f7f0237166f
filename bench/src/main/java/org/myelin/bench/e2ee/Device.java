package org.myelin.bench.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A client device as an end-to-end encrypting client makes it: an access token, an Ed25519
 * identity key of its own (the project's protocol signing code) and a Curve25519 identity key
 * (random bytes: the server never uses it). Its device keys and one-time keys are signed as the
 * spec's "Key management API" asks, so the server's signature check on upload is real, and so is
 * the benchmark's check of what /keys/query and /keys/claim hand back.
 */
final class Device {

    static final String OLM = "m.olm.v1.curve25519-aes-sha2";
    static final String MEGOLM = "m.megolm.v1.aes-sha2";
    static final String SIGNED_CURVE25519 = "signed_curve25519";
    /** The key id of every device's fallback key. */
    static final String FALLBACK_KEY_ID = "FALLBACK";

    private static final SecureRandom RANDOM = new SecureRandom();

    final String userId;
    final String deviceId;
    final String token;
    final String password;
    final SigningKey ed25519;
    final String curve25519;

    private Device(String userId, String deviceId, String token, String password) {
        this.userId = userId;
        this.deviceId = deviceId;
        this.token = token;
        this.password = password;
        this.ed25519 = SigningKey.fromSeed(deviceId, randomBytes(32));
        this.curve25519 = UnpaddedBase64.encode(randomBytes(32));
    }

    /** Registers {@code localpart} (m.login.dummy) with its first device, {@code deviceId}. */
    static Device register(HttpPool http, String localpart, String deviceId) {
        String password = "bench-" + UnpaddedBase64.encode(randomBytes(12));
        ObjectNode body = HttpPool.JSON.createObjectNode().put("username", localpart).put("password", password)
                .put("device_id", deviceId);
        body.putObject("auth").put("type", "m.login.dummy");
        JsonNode r = http.ok("POST", HttpPool.V3 + "/register", null, body);
        return new Device(r.path("user_id").asText(), r.path("device_id").asText(), r.path("access_token").asText(),
                password);
    }

    /** Logs this device's user in again as {@code deviceId}: another device of the same user. */
    Device login(HttpPool http, String newDeviceId) {
        ObjectNode body = HttpPool.JSON.createObjectNode().put("type", "m.login.password").put("password", password)
                .put("device_id", newDeviceId);
        body.putObject("identifier").put("type", "m.id.user").put("user", userId);
        JsonNode r = http.ok("POST", HttpPool.V3 + "/login", null, body);
        return new Device(userId, r.path("device_id").asText(), r.path("access_token").asText(), password);
    }

    /** The device keys, signed by the device's Ed25519 key ({@code device_keys} of /keys/upload). */
    ObjectNode deviceKeys() {
        ObjectNode keys = HttpPool.JSON.createObjectNode().put("user_id", userId).put("device_id", deviceId);
        keys.putArray("algorithms").add(OLM).add(MEGOLM);
        keys.putObject("keys").put("curve25519:" + deviceId, curve25519)
                .put(ed25519.keyId(), ed25519.verifyKey().publicKeyBase64());
        return JsonSigning.sign(keys, userId, ed25519);
    }

    /** A signed Curve25519 key ({@code signed_curve25519}), a one-time key or, if {@code fallback}, the fallback key. */
    ObjectNode signedKey(boolean fallback) {
        ObjectNode key = HttpPool.JSON.createObjectNode().put("key", UnpaddedBase64.encode(randomBytes(32)));
        if (fallback) {
            key.put("fallback", true);
        }
        return JsonSigning.sign(key, userId, ed25519);
    }

    /** Uploads the device keys. */
    void uploadDeviceKeys(HttpPool http) {
        ObjectNode body = HttpPool.JSON.createObjectNode();
        body.set("device_keys", deviceKeys());
        http.ok("POST", HttpPool.V3 + "/keys/upload", token, body);
    }

    /**
     * Uploads {@code count} one-time keys, ids {@code 0 … count-1}, in requests of {@code perRequest}
     * (as clients top their keys up), then a fallback key; the ids uploaded.
     */
    List<String> uploadOneTimeKeys(HttpPool http, int count, int perRequest) {
        return uploadOneTimeKeys(http, count, perRequest, "AAAA");
    }

    /** As {@link #uploadOneTimeKeys(HttpPool, int, int)}, key ids {@code <prefix>0000} on. */
    List<String> uploadOneTimeKeys(HttpPool http, int count, int perRequest, String prefix) {
        int before = oneTimeKeysLeft(http);
        List<String> ids = new ArrayList<>();
        for (int from = 0; from < count; from += perRequest) {
            ObjectNode body = HttpPool.JSON.createObjectNode();
            ObjectNode keys = body.putObject("one_time_keys");
            for (int i = from; i < Math.min(count, from + perRequest); i++) {
                String id = prefix + String.format("%04d", i);
                keys.set(SIGNED_CURVE25519 + ":" + id, signedKey(false));
                ids.add(id);
            }
            JsonNode counts = http.ok("POST", HttpPool.V3 + "/keys/upload", token, body);
            int stored = counts.path("one_time_key_counts").path(SIGNED_CURVE25519).asInt(-1);
            if (stored != before + ids.size()) {
                throw new IllegalStateException(userId + "/" + deviceId + ": " + stored + " one-time keys stored, "
                        + ids.size() + " uploaded to " + before);
            }
        }
        ObjectNode body = HttpPool.JSON.createObjectNode();
        body.putObject("fallback_keys").set(SIGNED_CURVE25519 + ":" + FALLBACK_KEY_ID, signedKey(true));
        http.ok("POST", HttpPool.V3 + "/keys/upload", token, body);
        return ids;
    }

    /** How many one-time keys the server says the device has left (/keys/upload with nothing to upload). */
    int oneTimeKeysLeft(HttpPool http) {
        return http.ok("POST", HttpPool.V3 + "/keys/upload", token, HttpPool.JSON.createObjectNode())
                .path("one_time_key_counts").path(SIGNED_CURVE25519).asInt(-1);
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
