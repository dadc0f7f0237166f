package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.keys.CrossSigningRepository;
import org.myelin.storage.keys.CrossSigningRepository.Signature;
import org.myelin.storage.keys.CrossSigningRepository.StoredKey;
import org.myelin.storage.keys.DeviceKeyRepository;
import org.myelin.storage.keys.DeviceKeyRepository.StoredDeviceKeys;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code POST /keys/signatures/upload} (client-server API, "Cross-signing"): signatures a user made
 * of their own devices (with their self-signing key), of their own master key (with one of their
 * devices) and of other users' master keys (with their user-signing key). Every signature is
 * checked before it is stored, against the signer's stored key and over the stored copy of the
 * signed object (the object sent must be it, but for its signatures); each refused one is a
 * {@code failures} entry, and the others are stored.
 */
final class SignatureUploads {

    private final DeviceKeyRepository deviceKeys;
    private final CrossSigningRepository crossSigning;
    private final DeviceListUpdates updates;

    SignatureUploads(DeviceKeyRepository deviceKeys, CrossSigningRepository crossSigning, DeviceListUpdates updates) {
        this.deviceKeys = deviceKeys;
        this.crossSigning = crossSigning;
        this.updates = updates;
    }

    /** Checks and stores the signatures {@code userId} uploads; the failures, by user and key id. */
    Map<String, Map<String, KeyFailure>> upload(String userId, ObjectNode body) {
        Map<String, Map<String, ObjectNode>> byUser = new TreeMap<>();
        body.properties().forEach(e -> {
            Map<String, ObjectNode> objects = new TreeMap<>();
            KeyJson.object(e.getValue(), e.getKey()).properties().forEach(k -> {
                if (!(k.getValue() instanceof ObjectNode o)) {
                    throw MatrixException.invalidParam("Invalid parameter");
                }
                objects.put(k.getKey(), o);
            });
            byUser.put(e.getKey(), objects);
        });
        Map<String, Map<String, KeyFailure>> failures = new TreeMap<>();
        List<Signature> accepted = new ArrayList<>();
        Map<String, Map<String, StoredKey>> keys = crossSigning.keys(byUser.keySet());
        byUser.forEach((target, objects) -> objects.forEach((keyId, signed) -> {
            try {
                accepted.addAll(target.equals(userId) ? ownKey(userId, keyId, signed, keys)
                        : othersMaster(userId, target, keyId, signed, keys));
            } catch (MatrixException refused) {
                failures.computeIfAbsent(target, t -> new TreeMap<>()).put(keyId, KeyFailure.of(refused));
            }
        }));
        if (!accepted.isEmpty()) {
            updates.announce(userId, () -> crossSigning.storeSignatures(accepted, List.of(userId)));
        }
        return failures;
    }

    /** A signature of one of the user's devices by their self-signing key, or of their master key by a device. */
    private List<Signature> ownKey(String userId, String keyId, ObjectNode signed,
                                   Map<String, Map<String, StoredKey>> keys) {
        Map<String, StoredKey> mine = keys.getOrDefault(userId, Map.of());
        StoredKey master = mine.get(CrossSigning.MASTER);
        JsonNode mySignatures = signed.path("signatures").path(userId);
        if (!mySignatures.isObject() || mySignatures.isEmpty()) {
            throw invalidSignature();
        }
        if (master != null && keyId.equals(CrossSigning.publicPart(master.keyId()))) {
            return masterByDevices(userId, keyId, signed, master, (ObjectNode) mySignatures);
        }
        StoredKey selfSigning = mine.get(CrossSigning.SELF_SIGNING);
        if (selfSigning == null) {
            throw MatrixException.notFound("No self_signing key found for " + userId);
        }
        String signerKeyId = selfSigning.keyId();
        if (!mySignatures.has(signerKeyId)) {
            throw invalidSignature();
        }
        ObjectNode stored = storedDevice(userId, keyId);
        VerifyKey signer = CrossSigning.onlyKey(KeyJson.object(KeyJson.parse(selfSigning.keyJson()), "self_signing key"));
        checkSignature(userId, signer, signed, stored);
        return List.of(new Signature(userId, keyId, userId, signerKeyId, mySignatures.get(signerKeyId).asText()));
    }

    private List<Signature> masterByDevices(String userId, String masterId, ObjectNode signed, StoredKey master,
                                            ObjectNode bySigner) {
        ObjectNode stored = KeyJson.object(KeyJson.parse(master.keyJson()), "master key");
        Map<String, ObjectNode> devices = new HashMap<>();
        for (StoredDeviceKeys d : deviceKeys.query(Map.of(userId, List.of()))) {
            devices.put(d.deviceId(), KeyJson.object(KeyJson.parse(d.keyJson()), "device keys"));
        }
        List<Signature> signatures = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : bySigner.properties()) {
            String signerKeyId = e.getKey();
            ObjectNode device = devices.get(CrossSigning.publicPart(signerKeyId));
            JsonNode publicKey = device == null ? null : device.path("keys").get(signerKeyId);
            if (publicKey == null || !publicKey.isTextual()) {
                throw invalidSignature(); // an unknown device, or one without that key
            }
            VerifyKey signer;
            try {
                signer = KeyJson.ed25519(signerKeyId, publicKey.textValue(), ErrCode.M_INVALID_SIGNATURE);
            } catch (MatrixException notEd25519) {
                throw invalidSignature();
            }
            checkSignature(userId, signer, signed, stored);
            signatures.add(new Signature(userId, masterId, userId, signerKeyId, e.getValue().asText()));
        }
        return signatures;
    }

    /** A signature of another user's master key by the signer's user-signing key. */
    private List<Signature> othersMaster(String userId, String target, String keyId, ObjectNode signed,
                                         Map<String, Map<String, StoredKey>> keys) {
        StoredKey userSigning = keys.getOrDefault(userId, Map.of()).get(CrossSigning.USER_SIGNING);
        if (userSigning == null) {
            userSigning = crossSigning.keys(List.of(userId)).getOrDefault(userId, Map.of())
                    .get(CrossSigning.USER_SIGNING);
        }
        if (userSigning == null) {
            throw MatrixException.notFound("No user_signing key found for " + userId);
        }
        StoredKey master = keys.getOrDefault(target, Map.of()).get(CrossSigning.MASTER);
        if (master == null || !keyId.equals(CrossSigning.publicPart(master.keyId()))) {
            throw MatrixException.notFound("Unknown device");
        }
        JsonNode signature = signed.path("signatures").path(userId).get(userSigning.keyId());
        if (signature == null || !signature.isTextual()) {
            throw invalidSignature();
        }
        VerifyKey signer = CrossSigning.onlyKey(KeyJson.object(KeyJson.parse(userSigning.keyJson()), "user_signing key"));
        checkSignature(userId, signer, signed, KeyJson.object(KeyJson.parse(master.keyJson()), "master key"));
        return List.of(new Signature(target, keyId, userId, userSigning.keyId(), signature.textValue()));
    }

    private ObjectNode storedDevice(String userId, String deviceId) {
        return deviceKeys.keys(userId, deviceId)
                .map(json -> KeyJson.object(KeyJson.parse(json), "device keys"))
                .orElseThrow(() -> MatrixException.notFound("Unknown device"));
    }

    /**
     * The object sent must be the stored one but for signatures (and {@code unsigned}), and
     * {@code signer}'s signature on it must verify.
     */
    private static void checkSignature(String userId, VerifyKey signer, ObjectNode signed, ObjectNode stored) {
        if (!KeyJson.signedPart(signed).equals(KeyJson.signedPart(stored))) {
            throw MatrixException.invalidParam("Key does not match");
        }
        if (signer == null || !JsonSigning.verify(signed, userId, signer)) {
            throw invalidSignature();
        }
    }

    private static MatrixException invalidSignature() {
        return MatrixException.of(ErrCode.M_INVALID_SIGNATURE, "Invalid signature");
    }
}
