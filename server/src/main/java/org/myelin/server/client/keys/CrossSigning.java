package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.accounts.AccountRepository;
import org.myelin.storage.accounts.Device;
import org.myelin.storage.keys.CrossSigningRepository;
import org.myelin.storage.keys.CrossSigningRepository.NewKey;
import org.myelin.storage.keys.CrossSigningRepository.StoredKey;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code POST /keys/device_signing/upload} (client-server API, "Cross-signing"): a user publishes
 * their master, self-signing and user-signing keys. Each must name the user, its own usage and
 * exactly one Ed25519 key; the self-signing and user-signing keys must be signed by the master
 * key sent with them or, without one, the stored one. Whether user-interactive auth is needed is
 * decided by {@link #needsAuth}; the routes run it.
 */
final class CrossSigning {

    static final String MASTER = "master";
    static final String SELF_SIGNING = "self_signing";
    static final String USER_SIGNING = "user_signing";

    /** The request's keys by type, those present only, checked. */
    record Upload(Map<String, ParsedKey> keys) {
    }

    /** A checked cross-signing key. */
    record ParsedKey(String type, ObjectNode json, VerifyKey key) {
    }

    private final CrossSigningRepository store;
    private final AccountRepository accounts;
    private final DeviceListUpdates updates;
    private final Clock clock;

    CrossSigning(CrossSigningRepository store, AccountRepository accounts, DeviceListUpdates updates, Clock clock) {
        this.store = store;
        this.accounts = accounts;
        this.updates = updates;
        this.clock = clock;
    }

    /** The part after {@code ed25519:} of a cross-signing key id: its public key, and how signatures upload names it. */
    static String publicPart(String keyId) {
        int colon = keyId.indexOf(':');
        return colon < 0 ? keyId : keyId.substring(colon + 1);
    }

    /** Checks the keys of {@code body} for {@code userId} (400 or 403 when they do not hold). */
    Upload check(String userId, ObjectNode body) {
        Map<String, ParsedKey> keys = new LinkedHashMap<>();
        for (String type : List.of(MASTER, SELF_SIGNING, USER_SIGNING)) {
            JsonNode node = body.get(type + "_key");
            if (node != null && !node.isNull()) {
                keys.put(type, parse(userId, type, KeyJson.object(node, type + "_key")));
            }
        }
        VerifyKey master = keys.containsKey(MASTER) ? keys.get(MASTER).key() : storedMaster(userId);
        if (master == null && !keys.isEmpty()) {
            throw MatrixException.missingParam("No master key available");
        }
        for (ParsedKey k : keys.values()) {
            if (!k.type().equals(MASTER) && !JsonSigning.verify(k.json(), userId, master)) {
                throw MatrixException.of(ErrCode.M_INVALID_SIGNATURE, "Invalid signature on " + k.type() + " key");
            }
        }
        Set<String> deviceIds = accounts.devices(userId).stream().map(Device::deviceId).collect(Collectors.toSet());
        for (ParsedKey k : keys.values()) {
            if (deviceIds.contains(publicPart(k.key().keyId()))) {
                throw MatrixException.forbidden("Key ID in use");
            }
        }
        return new Upload(keys);
    }

    /**
     * Whether storing {@code upload} needs user-interactive auth (spec: unless the user has no
     * master key yet, or every key sent is the one stored already).
     */
    boolean needsAuth(String userId, Upload upload) {
        Map<String, StoredKey> stored = store.keys(List.of(userId)).getOrDefault(userId, Map.of());
        return stored.containsKey(MASTER) && !unchanged(upload, stored);
    }

    /** Whether every key of {@code upload} is stored exactly so already (a retry: nothing to do). */
    boolean unchanged(String userId, Upload upload) {
        return unchanged(upload, store.keys(List.of(userId)).getOrDefault(userId, Map.of()));
    }

    private static boolean unchanged(Upload upload, Map<String, StoredKey> stored) {
        for (ParsedKey k : upload.keys().values()) {
            StoredKey s = stored.get(k.type());
            if (s == null || !KeyJson.parse(s.keyJson()).equals(k.json())) {
                return false;
            }
        }
        return true;
    }

    /** Stores the keys and announces the change of the user's device list. */
    void store(String userId, Upload upload) {
        List<NewKey> keys = new ArrayList<>();
        upload.keys().values().forEach(k -> keys.add(new NewKey(k.type(), k.key().keyId(), KeyJson.canonical(k.json()))));
        long now = clock.millis();
        updates.announce(userId, () -> store.store(userId, keys, now));
    }

    /** The user's stored master key, or null. */
    VerifyKey storedMaster(String userId) {
        StoredKey stored = store.keys(List.of(userId)).getOrDefault(userId, Map.of()).get(MASTER);
        return stored == null ? null : onlyKey(KeyJson.object(KeyJson.parse(stored.keyJson()), "stored master key"));
    }

    private static ParsedKey parse(String userId, String type, ObjectNode json) {
        JsonNode usage = json.get("usage");
        boolean hasUsage = false;
        if (usage != null && usage.isArray()) {
            for (JsonNode u : usage) {
                hasUsage |= type.equals(u.textValue());
            }
        }
        if (!userId.equals(json.path("user_id").textValue()) || !hasUsage) {
            throw MatrixException.invalidParam("Invalid " + type + " key");
        }
        if (json.has("signatures")) {
            KeyJson.signatures(json.get("signatures"), type + "_key.signatures");
        }
        VerifyKey key = onlyKey(json);
        if (key == null) {
            throw MatrixException.invalidParam("Invalid " + type + " key");
        }
        KeyJson.canonical(json);
        return new ParsedKey(type, json, key);
    }

    /**
     * The one Ed25519 key of a cross-signing key object, or null. Its id should be
     * {@code ed25519:<public key>}; like Synapse, only the algorithm is held to.
     */
    static VerifyKey onlyKey(ObjectNode json) {
        JsonNode keys = json.get("keys");
        if (!(keys instanceof ObjectNode map) || map.size() != 1) {
            return null;
        }
        Map.Entry<String, JsonNode> only = map.properties().iterator().next();
        if (!only.getValue().isTextual()) {
            return null;
        }
        try {
            return KeyJson.ed25519(only.getKey(), only.getValue().textValue(), ErrCode.M_INVALID_PARAM);
        } catch (MatrixException e) {
            return null;
        }
    }
}
