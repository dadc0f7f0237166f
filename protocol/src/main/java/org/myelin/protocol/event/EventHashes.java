package org.myelin.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.protocol.version.RoomVersion;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The content hash and the reference hash of an event (server-server API, "Calculating the
 * content hash for an event" and "Calculating the reference hash for an event").
 */
public final class EventHashes {

    private EventHashes() {
    }

    /** SHA-256 over the canonical event without {@code unsigned}, {@code signatures} and {@code hashes}. */
    public static byte[] contentHash(ObjectNode event) {
        return sha256(CanonicalJson.encodeWithout(event, "unsigned", "signatures", "hashes"));
    }

    /** SHA-256 over the canonical redacted event without {@code signatures} and {@code unsigned}. */
    public static byte[] referenceHash(ObjectNode event, RoomVersion version) {
        return sha256(redactedSignedBytes(event, version));
    }

    /**
     * The canonical JSON of the redacted event without {@code signatures} and {@code unsigned}:
     * both what the reference hash (the event id, v3+) hashes and what every server's signature
     * of the event covers ("Signing events"), so a received event needs it encoded only once.
     */
    public static byte[] redactedSignedBytes(ObjectNode event, RoomVersion version) {
        ObjectNode redacted = Redaction.redactedView(event, version.redaction());
        return CanonicalJson.encodeWithout(redacted, "signatures", "unsigned");
    }

    /**
     * Whether the event's {@code hashes.sha256} matches its content. A mismatch means the
     * sender or a relay changed the event, or sent it redacted; the receiver then keeps only the
     * redacted form.
     */
    public static boolean contentHashMatches(ObjectNode event) {
        JsonNode claimed = event.path("hashes").path("sha256");
        if (!claimed.isTextual()) {
            return false;
        }
        byte[] expected;
        try {
            expected = UnpaddedBase64.decode(claimed.textValue());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(expected, contentHash(event));
    }

    static byte[] sha256(byte[] bytes) {
        try {
            // A clone of one digest: each event is hashed twice on its way in, and getInstance looks
            // the provider up each time.
            return ((MessageDigest) SHA_256.clone()).digest(bytes);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests cannot be cloned", e);
        }
    }

    private static final MessageDigest SHA_256 = newSha256();

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
