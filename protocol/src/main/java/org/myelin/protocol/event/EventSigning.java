package org.myelin.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.protocol.version.RoomVersion;

/**
 * Hashing and signing outgoing events, checking signatures on received ones (server-server
 * API, "Signing events"): the content hash goes into {@code hashes.sha256}, then the
 * redacted event is signed, so a signature survives redaction.
 */
public final class EventSigning {

    private EventSigning() {
    }

    /**
     * A copy of {@code event} with its content hash set and {@code server}'s signature added.
     * Existing signatures (of other servers) are kept.
     */
    public static ObjectNode hashAndSign(ObjectNode event, RoomVersion version, String server, SigningKey key) {
        ObjectNode hashed = event.deepCopy();
        hashed.putObject("hashes").put("sha256", UnpaddedBase64.encode(EventHashes.contentHash(hashed)));
        return sign(hashed, version, server, key);
    }

    /** A copy of {@code event} with {@code server}'s signature over its redacted form added. */
    public static ObjectNode sign(ObjectNode event, RoomVersion version, String server, SigningKey key) {
        ObjectNode redacted = Redaction.redact(event, version.redaction());
        ObjectNode signedRedacted = JsonSigning.sign(redacted, server, key);
        ObjectNode result = event.deepCopy();
        result.set("signatures", signedRedacted.get("signatures").deepCopy());
        return result;
    }

    /** Whether {@code server} signed the redacted form of {@code event} with {@code key}. */
    public static boolean verify(ObjectNode event, RoomVersion version, String server, VerifyKey key) {
        ObjectNode redacted = Redaction.redact(event, version.redaction());
        return JsonSigning.verify(redacted, server, key);
    }

    /** The key ids with which {@code server} claims to have signed {@code event}. */
    public static java.util.List<String> signingKeyIds(ObjectNode event, String server) {
        JsonNode forServer = event.path("signatures").path(server);
        java.util.List<String> ids = new java.util.ArrayList<>();
        forServer.fieldNames().forEachRemaining(ids::add);
        return ids;
    }
}
