package org.myelin.federation.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.crypto.VerifyKey;

/**
 * Signing and checking server-server requests (server-server API, "Request Authentication"):
 * the signature covers the JSON {@code {method, uri, origin, destination, content}}, where
 * {@code uri} is the path with its query string as sent, and {@code content} the parsed body
 * (absent for a request without one).
 */
public final class RequestSigning {

    private RequestSigning() {
    }

    /** The JSON a request signature covers. */
    public static ObjectNode signedJson(String method, String uri, String origin, String destination,
                                        JsonNode content) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("method", method);
        json.put("uri", uri);
        json.put("origin", origin);
        json.put("destination", destination);
        if (content != null) {
            json.set("content", content);
        }
        return json;
    }

    /** The {@code Authorization} header for a request from {@code origin} to {@code destination}. */
    public static XMatrixAuthorization sign(String method, String uri, String origin, String destination,
                                            JsonNode content, SigningKey key) {
        ObjectNode signed = JsonSigning.sign(signedJson(method, uri, origin, destination, content), origin, key);
        String signature = JsonSigning.signature(signed, origin, key.keyId());
        return new XMatrixAuthorization(origin, destination, key.keyId(), signature);
    }

    /**
     * Whether {@code auth} is {@code key}'s valid signature of this request, sent to
     * {@code destination} (which the caller has matched against the header's, if it has one).
     */
    public static boolean verify(XMatrixAuthorization auth, String method, String uri, String destination,
                                 JsonNode content, VerifyKey key) {
        ObjectNode json = signedJson(method, uri, auth.origin(), destination, content);
        json.putObject("signatures").putObject(auth.origin()).put(auth.key(), auth.signature());
        return JsonSigning.verify(json, auth.origin(), key);
    }
}
