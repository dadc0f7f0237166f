package org.myelin.server.client.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;

import java.util.Map;

/**
 * Key objects as the end-to-end encryption endpoints take and give them: checked shapes, canonical
 * JSON for storage, and signatures added to a stored object when it is handed out.
 */
final class KeyJson {

    static final String ED25519 = "ed25519";

    private KeyJson() {
    }

    /** {@code node} as an object, or 400 M_BAD_JSON naming {@code what}. */
    static ObjectNode object(JsonNode node, String what) {
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw MatrixException.badJson("'" + what + "' must be an object");
    }

    /** {@code node} as text, or 400 M_BAD_JSON naming {@code what}. */
    static String text(JsonNode node, String what) {
        if (node != null && node.isTextual()) {
            return node.textValue();
        }
        throw MatrixException.badJson("'" + what + "' must be a string");
    }

    /** Checks that {@code node} is an object whose values are all strings. */
    static ObjectNode stringMap(JsonNode node, String what) {
        ObjectNode object = object(node, what);
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            text(e.getValue(), what + "." + e.getKey());
        }
        return object;
    }

    /** Checks {@code signatures}: an object of user ids to objects of key ids to strings. */
    static void signatures(JsonNode node, String what) {
        for (Map.Entry<String, JsonNode> e : object(node, what).properties()) {
            stringMap(e.getValue(), what + "." + e.getKey());
        }
    }

    /** The canonical JSON of {@code value} (400 M_BAD_JSON for a value canonical JSON cannot hold). */
    static String canonical(JsonNode value) {
        try {
            return CanonicalJson.encodeToString(value);
        } catch (IllegalArgumentException e) {
            throw MatrixException.badJson("Keys must be canonical JSON: " + e.getMessage());
        }
    }

    /** A stored key object (or key string). */
    static JsonNode parse(String stored) {
        try {
            return Json.MAPPER.readTree(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored key is not JSON", e);
        }
    }

    /** {@code key} without its {@code signatures} and {@code unsigned}: what signatures cover. */
    static ObjectNode signedPart(ObjectNode key) {
        ObjectNode copy = key.deepCopy();
        copy.remove("signatures");
        copy.remove("unsigned");
        return copy;
    }

    /** Adds {@code signature} by {@code signer}'s {@code keyId} to {@code key}. */
    static void addSignature(ObjectNode key, String signer, String keyId, String signature) {
        JsonNode all = key.get("signatures");
        ObjectNode signatures = all instanceof ObjectNode o ? o : key.putObject("signatures");
        JsonNode bySigner = signatures.get(signer);
        (bySigner instanceof ObjectNode o ? o : signatures.putObject(signer)).put(keyId, signature);
    }

    /**
     * The Ed25519 key {@code keyId} whose public key is {@code base64}, or 400 {@code code} when it
     * is not one (not ed25519, not 32 bytes of unpadded base64).
     */
    static VerifyKey ed25519(String keyId, String base64, ErrCode code) {
        if (!keyId.startsWith(ED25519 + ":")) {
            throw MatrixException.of(code, "Not an ed25519 key: " + keyId);
        }
        try {
            return VerifyKey.fromBase64(keyId, base64);
        } catch (IllegalArgumentException e) {
            throw MatrixException.of(code, "Invalid ed25519 key " + keyId);
        }
    }
}
