package org.myelin.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.version.RoomVersion;

/**
 * Event ids per room version: carried in the event ({@code $opaque:domain}, v1-v2), or the
 * reference hash in unpadded base64 (v3) or URL-safe unpadded base64 (v4+).
 */
public final class EventIds {

    private EventIds() {
    }

    /** The id of {@code event} in a room of {@code version}. */
    public static String of(ObjectNode event, RoomVersion version) {
        return switch (version.eventFormat()) {
            case EVENT_ID_IN_EVENT -> of(event, version, null);
            case REFERENCE_HASH, URL_SAFE_REFERENCE_HASH ->
                    of(event, version, EventHashes.redactedSignedBytes(event, version));
        };
    }

    /**
     * The id of {@code event} when its {@link EventHashes#redactedSignedBytes} are already
     * encoded (they may be null in v1-v2, whose ids are not hashes).
     */
    public static String of(ObjectNode event, RoomVersion version, byte[] redactedSignedBytes) {
        return switch (version.eventFormat()) {
            case EVENT_ID_IN_EVENT -> {
                JsonNode id = event.get("event_id");
                if (id == null || !id.isTextual()) {
                    throw new InvalidEventException("event_id is required in " + version);
                }
                yield id.textValue();
            }
            case REFERENCE_HASH -> "$" + UnpaddedBase64.encode(EventHashes.sha256(redactedSignedBytes));
            case URL_SAFE_REFERENCE_HASH -> "$" + UnpaddedBase64.encodeUrlSafe(EventHashes.sha256(redactedSignedBytes));
        };
    }

    /** The room id a v12 create event founds: its event id with the sigil {@code !}. */
    public static String roomIdOfCreateEvent(String createEventId) {
        return "!" + createEventId.substring(1);
    }
}
