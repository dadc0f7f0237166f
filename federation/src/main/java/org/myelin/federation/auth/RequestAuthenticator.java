package org.myelin.federation.auth;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.federation.FederationException;
import org.myelin.federation.keys.KeyRing;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.protocol.id.KeyId;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.json.CanonicalJsonException;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.protocol.json.NotJsonException;

import java.util.List;
import java.util.Optional;

/**
 * Authenticates an inbound server-server request by its X-Matrix signature (server-server API,
 * "Request Authentication"): the header must parse, name this server as destination (or none,
 * for servers older than v1.3), and carry a valid signature by a current key of its origin. Any
 * failure is 401 M_UNAUTHORIZED, except a body that is no JSON (400 M_NOT_JSON) or JSON that
 * Matrix refuses or that has no canonical form, such as a fraction (400 M_BAD_JSON): its signature
 * cannot be checked at all. The key endpoints ({@code /_matrix/key/*}) are not authenticated.
 */
public final class RequestAuthenticator {

    private final String localServerName;
    private final KeyRing keys;

    public RequestAuthenticator(String localServerName, KeyRing keys) {
        this.localServerName = localServerName;
        this.keys = keys;
    }

    /** A request that passed: who sent it and its parsed body (null if it had none). */
    public record Authenticated(String origin, JsonNode content) {
    }

    /**
     * @param uri                  the request target as received: path and query string, undecoded
     * @param authorizationHeaders every {@code Authorization} header of the request
     * @param body                 the raw body; empty when there is none
     */
    public Authenticated authenticate(String method, String uri, List<String> authorizationHeaders, byte[] body) {
        String header = authorizationHeaders.stream()
                .filter(h -> h.strip().regionMatches(true, 0, XMatrixAuthorization.SCHEME, 0,
                        XMatrixAuthorization.SCHEME.length()))
                .findFirst()
                .orElseThrow(() -> FederationException.unauthorized("Missing X-Matrix Authorization header"));
        XMatrixAuthorization auth;
        try {
            auth = XMatrixAuthorization.parse(header);
        } catch (XMatrixAuthorization.MalformedException e) {
            throw FederationException.unauthorized("Malformed X-Matrix Authorization header: " + e.getMessage());
        }
        if (auth.destination() != null && !auth.destination().equals(localServerName)) {
            throw FederationException.unauthorized("Request is for " + auth.destination() + ", not this server");
        }
        if (!ServerName.isValid(auth.origin())) {
            throw FederationException.unauthorized("origin is not a server name");
        }
        if (!KeyId.isValid(auth.key())) {
            throw FederationException.unauthorized("key is not a key id");
        }
        JsonNode content = null;
        if (body.length > 0) {
            try {
                content = MatrixJson.parse(body, MatrixJson.Numbers.LENIENT);
            } catch (NotJsonException e) {
                throw FederationException.notJson("Content not JSON: " + e.getMessage());
            } catch (CanonicalJsonException e) {
                throw FederationException.badJson("Content refused: " + e.getMessage());
            }
        }
        Optional<VerifyKey> key = keys.requestKey(auth.origin(), auth.key());
        if (key.isEmpty()) {
            throw FederationException.unauthorized("No current key " + auth.key() + " of " + auth.origin());
        }
        boolean valid;
        try {
            valid = RequestSigning.verify(auth, method, uri, localServerName, content, key.get());
        } catch (CanonicalJsonException e) {
            // A fraction, say: the body has no canonical form, so no signature of it can be checked.
            // The request is malformed, not its sender unknown.
            throw FederationException.badJson("Request cannot be encoded as canonical JSON: " + e.getMessage());
        }
        if (!valid) {
            throw FederationException.unauthorized("Invalid signature by " + auth.origin());
        }
        return new Authenticated(auth.origin(), content);
    }
}
