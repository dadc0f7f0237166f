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
        String signature = UnpaddedBase64.encode(key.sign(EventHashes.redactedSignedBytes(event, version)));
        ObjectNode result = event.deepCopy();
        JsonNode signatures = result.get("signatures");
        ObjectNode all = signatures instanceof ObjectNode existing ? existing : result.putObject("signatures");
        JsonNode forServer = all.get(server);
        ObjectNode serverSignatures = forServer instanceof ObjectNode existing ? existing : all.putObject(server);
        serverSignatures.put(key.keyId(), signature);
        return result;
    }

    /** Whether {@code server} signed the redacted form of {@code event} with {@code key}. */
    public static boolean verify(ObjectNode event, RoomVersion version, String server, VerifyKey key) {
        return JsonSigning.verify(EventHashes.redactedSignedBytes(event, version), event, server, key);
    }

    /**
     * As {@link #verify(ObjectNode, RoomVersion, String, VerifyKey)} with the signed bytes the
     * PDU encoded when it was parsed (for its event id), instead of redacting and encoding again.
     * The signatures are read from the event itself: redaction keeps them as they are.
     */
    public static boolean verify(Pdu event, String server, VerifyKey key) {
        return JsonSigning.verify(event.redactedSignedBytes(), event.json(), server, key);
    }

    /** The key ids with which {@code server} claims to have signed {@code event}. */
    public static java.util.List<String> signingKeyIds(ObjectNode event, String server) {
        JsonNode forServer = event.path("signatures").path(server);
        java.util.List<String> ids = new java.util.ArrayList<>();
        forServer.fieldNames().forEachRemaining(ids::add);
        return ids;
    }
}
