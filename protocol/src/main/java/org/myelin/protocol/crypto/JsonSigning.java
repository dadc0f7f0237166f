package org.myelin.protocol.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.json.CanonicalJson;

/**
 * Signing and checking signed JSON (appendices, "Signing Details" and "Checking for a
 * Signature"): the signature covers the canonical JSON of the object without
 * {@code signatures} and {@code unsigned}.
 */
public final class JsonSigning {

    private JsonSigning() {
    }

    /** The bytes a signature of {@code object} covers. */
    public static byte[] signedBytes(ObjectNode object) {
        return CanonicalJson.encodeWithout(object, "signatures", "unsigned");
    }

    /**
     * A copy of {@code object} with {@code key}'s signature added under
     * {@code signatures.<entity>.<keyId>}; other signatures are kept.
     */
    public static ObjectNode sign(ObjectNode object, String entity, SigningKey key) {
        String signature = UnpaddedBase64.encode(key.sign(signedBytes(object)));
        ObjectNode signed = object.deepCopy();
        JsonNode signatures = signed.get("signatures");
        ObjectNode all = signatures instanceof ObjectNode existing ? existing : signed.putObject("signatures");
        JsonNode forEntity = all.get(entity);
        ObjectNode entitySignatures = forEntity instanceof ObjectNode existing ? existing : all.putObject(entity);
        entitySignatures.put(key.keyId(), signature);
        return signed;
    }

    /** The base64 signature {@code entity} made with {@code keyId}, or null if there is none. */
    public static String signature(ObjectNode object, String entity, String keyId) {
        JsonNode value = object.path("signatures").path(entity).path(keyId);
        return value.isTextual() ? value.textValue() : null;
    }

    /**
     * Whether {@code object} carries a valid signature by {@code entity} made with {@code key}.
     * A missing or undecodable signature is simply not valid.
     */
    public static boolean verify(ObjectNode object, String entity, VerifyKey key) {
        return verify(signedBytes(object), object, entity, key);
    }

    /**
     * As {@link #verify(ObjectNode, String, VerifyKey)}, with the signed bytes already computed,
     * so that checking several servers' signatures encodes the object once.
     */
    public static boolean verify(byte[] signedBytes, ObjectNode object, String entity, VerifyKey key) {
        String base64 = signature(object, entity, key.keyId());
        if (base64 == null) {
            return false;
        }
        byte[] signature;
        try {
            signature = UnpaddedBase64.decode(base64);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return key.verify(signedBytes, signature);
    }
}
