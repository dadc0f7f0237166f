package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.keys.DeviceKeyRepository;
import org.myelin.storage.keys.DeviceKeyRepository.StoreResult;
import org.myelin.storage.keys.OneTimeKeyRepository;
import org.myelin.storage.keys.OneTimeKeyRepository.NewKey;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code POST /keys/upload} (client-server API, "Uploading keys"): a device publishes its identity
 * keys, one-time keys and fallback keys.
 *
 * <p>Device keys must name the requester's user and device and carry a valid signature by the
 * device's own {@code ed25519:<device_id>} key. Once a device has keys, an upload may change
 * their signatures (which announces a device list change) but not the keys: other keys are
 * refused (400 M_INVALID_PARAM); the same keys again change nothing. A one-time key id already stored with other content is refused (400), as Synapse
 * does; with the same content it is kept once.
 */
public final class KeyUploads {

    /**
     * An upload's keys for one device, checked by {@link #check}.
     *
     * @param deviceKeyJson the device keys as canonical JSON, or null when none were sent
     */
    public record Upload(String userId, String deviceId, String deviceKeyJson, List<NewKey> oneTime,
                         List<NewKey> fallbacks) {
        public Upload {
            oneTime = List.copyOf(oneTime);
            fallbacks = List.copyOf(fallbacks);
        }
    }

    /** The unstable name of {@code fallback_keys} (MSC2732), which Synapse still accepts. */
    static final String UNSTABLE_FALLBACK_KEYS = "org.matrix.msc2732.fallback_keys";

    private final DeviceKeyRepository deviceKeys;
    private final OneTimeKeyRepository oneTimeKeys;
    private final OneTimeKeyCounts counts;
    private final DeviceListUpdates updates;
    private final Clock clock;

    KeyUploads(DeviceKeyRepository deviceKeys, OneTimeKeyRepository oneTimeKeys, OneTimeKeyCounts counts,
               DeviceListUpdates updates, Clock clock) {
        this.deviceKeys = deviceKeys;
        this.oneTimeKeys = oneTimeKeys;
        this.counts = counts;
        this.updates = updates;
        this.clock = clock;
    }

    /** Stores what {@code body} uploads for the requester's device; the device's one-time key counts. */
    Map<String, Integer> upload(Requester requester, ObjectNode body) {
        if (requester.deviceId() == null) {
            throw MatrixException.badJson("To upload keys, you must pass device_id when authenticating");
        }
        return store(check(requester.userId(), requester.deviceId(), body));
    }

    /**
     * The keys of an upload for one device, checked as far as they can be without reading what the
     * device has: device keys that name {@code userId} and {@code deviceId} and are signed by the
     * device, one-time and fallback keys of the right shape. Nothing is stored.
     */
    public Upload check(String userId, String deviceId, ObjectNode body) {
        String deviceKeyJson = body.has("device_keys") ? checkedDeviceKeys(body.get("device_keys"), userId, deviceId)
                : null;
        List<NewKey> oneTime = keys(body.get("one_time_keys"), "one_time_keys");
        JsonNode fallbackNode = body.has("fallback_keys") ? body.get("fallback_keys") : body.get(UNSTABLE_FALLBACK_KEYS);
        List<NewKey> fallbacks = lastPerAlgorithm(keys(fallbackNode, "fallback_keys"));
        return new Upload(userId, deviceId, deviceKeyJson, oneTime, fallbacks);
    }

    /**
     * Stores a checked upload and announces the change of the user's device list; the device's
     * one-time key counts. 400 (before anything is stored) when a one-time key id it has is sent
     * with another key, or when the device already has other device keys.
     */
    public Map<String, Integer> store(Upload upload) {
        String userId = upload.userId();
        String deviceId = upload.deviceId();
        List<NewKey> newOneTime = notStoredYet(userId, deviceId, upload.oneTime());
        long now = clock.millis();
        if (upload.deviceKeyJson() != null) {
            storeDeviceKeys(userId, deviceId, upload.deviceKeyJson(), now);
        }
        oneTimeKeys.add(userId, deviceId, newOneTime, now);
        oneTimeKeys.setFallbacks(userId, deviceId, upload.fallbacks());
        if (!newOneTime.isEmpty() || !upload.fallbacks().isEmpty()) {
            counts.invalidate(userId, deviceId);
        }
        return counts.of(userId, deviceId).oneTimeKeys();
    }

    /**
     * Stores the device keys, which may differ from those stored only in their signatures (a new
     * self-signing signature after a cross-signing reset, say): a device's identity keys never
     * change, matrix-rust-sdk ignores any attempt to, and Synapse's fix for it (element-hq/synapse
     * #18511) refuses it with this error.
     */
    private void storeDeviceKeys(String userId, String deviceId, String keyJson, long now) {
        ObjectNode signedPart = KeyJson.signedPart((ObjectNode) KeyJson.parse(keyJson));
        AtomicBoolean refused = new AtomicBoolean();
        updates.announce(userId, () -> switch (deviceKeys.store(userId, deviceId, keyJson, now,
                old -> KeyJson.signedPart((ObjectNode) KeyJson.parse(old)).equals(signedPart))) {
            case StoreResult.Changed changed -> OptionalLong.of(changed.position());
            case StoreResult.Unchanged unchanged -> OptionalLong.empty();
            case StoreResult.Refused r -> {
                refused.set(true);
                yield OptionalLong.empty();
            }
        });
        if (refused.get()) {
            throw MatrixException.invalidParam("Device keys for this device have already been uploaded");
        }
    }

    /** The device keys as canonical JSON, once their shape, owner and self-signature check out. */
    private static String checkedDeviceKeys(JsonNode node, String userId, String deviceId) {
        ObjectNode keys = KeyJson.object(node, "device_keys");
        if (!userId.equals(keys.path("user_id").textValue())) {
            throw MatrixException.badJson(
                    "Provided `user_id` in `device_keys` does not match that of the authenticated user");
        }
        if (!deviceId.equals(keys.path("device_id").textValue())) {
            throw MatrixException.badJson(
                    "Provided `device_id` in `device_keys` does not match that of the authenticated user device");
        }
        JsonNode algorithms = keys.get("algorithms");
        if (algorithms == null || !algorithms.isArray()) {
            throw MatrixException.badJson("'device_keys.algorithms' must be a list of strings");
        }
        algorithms.forEach(a -> KeyJson.text(a, "device_keys.algorithms[]"));
        ObjectNode published = KeyJson.stringMap(keys.get("keys"), "device_keys.keys");
        if (keys.get("signatures") == null || keys.get("signatures").isNull()) {
            throw MatrixException.of(ErrCode.M_INVALID_SIGNATURE, "device_keys are not signed");
        }
        KeyJson.signatures(keys.get("signatures"), "device_keys.signatures");
        String signingKeyId = KeyJson.ED25519 + ":" + deviceId;
        JsonNode signingKey = published.get(signingKeyId);
        if (signingKey == null) {
            throw MatrixException.badJson("'device_keys.keys' must hold the device's " + signingKeyId + " key");
        }
        VerifyKey key = KeyJson.ed25519(signingKeyId, signingKey.textValue(), ErrCode.M_BAD_JSON);
        String canonical = KeyJson.canonical(keys);
        if (!JsonSigning.verify(keys, userId, key)) {
            throw MatrixException.of(ErrCode.M_INVALID_SIGNATURE,
                    "device_keys are not signed by the device's " + signingKeyId + " key");
        }
        return canonical;
    }

    /**
     * The keys of a {@code one_time_keys} or {@code fallback_keys} map ({@code <algorithm>:<key_id>}
     * to a key string or a signed key object), in the order sent.
     */
    private static List<NewKey> keys(JsonNode node, String what) {
        List<NewKey> keys = new ArrayList<>();
        if (node == null || node.isNull()) {
            return keys;
        }
        for (Map.Entry<String, JsonNode> e : KeyJson.object(node, what).properties()) {
            String[] parts = e.getKey().split(":", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw MatrixException.badJson("Invalid " + what + " key " + e.getKey()
                        + ". Expected \"<algorithm>:<key_id>\".");
            }
            JsonNode key = e.getValue();
            String where = what + "." + e.getKey();
            if (key.isObject()) {
                KeyJson.text(key.get("key"), where + ".key");
                KeyJson.signatures(key.get("signatures"), where + ".signatures");
                JsonNode fallback = key.get("fallback");
                if (fallback != null && !fallback.isNull() && !fallback.isBoolean()) {
                    throw MatrixException.badJson("'" + where + ".fallback' must be a boolean");
                }
            } else if (!key.isTextual()) {
                throw MatrixException.badJson("'" + where + "' must be a key string or a key object");
            }
            keys.add(new NewKey(parts[0], parts[1], KeyJson.canonical(key)));
        }
        return keys;
    }

    /** One fallback key per algorithm, the last one sent (the server keeps one per algorithm). */
    private static List<NewKey> lastPerAlgorithm(List<NewKey> keys) {
        Map<String, NewKey> byAlgorithm = new LinkedHashMap<>();
        keys.forEach(k -> byAlgorithm.put(k.algorithm(), k));
        return new ArrayList<>(byAlgorithm.values());
    }

    /**
     * Those of {@code keys} the device does not have yet; 400 when one it has differs from the
     * one sent other than in its signatures (which a client may legitimately make again).
     */
    private List<NewKey> notStoredYet(String userId, String deviceId, List<NewKey> keys) {
        Map<String, String> stored = oneTimeKeys.existing(userId, deviceId, keys);
        List<NewKey> fresh = new ArrayList<>();
        for (NewKey key : keys) {
            String id = key.algorithm() + ":" + key.keyId();
            String old = stored.get(id);
            if (old == null) {
                fresh.add(key);
            } else if (!sameKey(KeyJson.parse(old), KeyJson.parse(key.keyJson()))) {
                throw MatrixException.unknownBadRequest("One time key " + id + " already exists. Old key: " + old
                        + "; new key: " + key.keyJson());
            }
        }
        return fresh;
    }

    private static boolean sameKey(JsonNode old, JsonNode sent) {
        if (old instanceof ObjectNode o && sent instanceof ObjectNode s) {
            ObjectNode a = o.deepCopy();
            ObjectNode b = s.deepCopy();
            a.remove("signatures");
            b.remove("signatures");
            return a.equals(b);
        }
        return old.equals(sent);
    }
}
