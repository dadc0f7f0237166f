package org.myelin.rooms.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;

import java.util.Objects;

/** What enters the one event pipeline: every event, whatever its origin, is one of these. */
public sealed interface Input {

    /**
     * An event a local user asks for: the pipeline builds, hashes and signs it.
     *
     * @param roomId   the room; null only for the create event of a room version whose room id is
     *                 the create event's hash (v12)
     * @param stateKey null for a message event
     * @param redacts  the target of an {@code m.room.redaction}, else null
     */
    record LocalEvent(String roomId, String sender, String type, String stateKey, ObjectNode content,
                      String redacts) implements Input {
        public LocalEvent {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(content, "content");
        }

        public static LocalEvent message(String roomId, String sender, String type, ObjectNode content) {
            return new LocalEvent(roomId, sender, type, null, content, null);
        }

        public static LocalEvent state(String roomId, String sender, String type, String stateKey, ObjectNode content) {
            return new LocalEvent(roomId, sender, type, Objects.requireNonNull(stateKey, "stateKey"), content, null);
        }
    }

    /** A new event another server sent us ({@code /send}, {@code send_join} …), unchecked. */
    record RemoteEvent(Pdu pdu, String origin) implements Input {
    }

    /** An event fetched only to authorise others (an auth event, a state event), unchecked. */
    record Outlier(Pdu pdu, String origin) implements Input {
    }

    /** Older history fetched with {@code /backfill}, unchecked. */
    record Backfilled(Pdu pdu, String origin) implements Input {
    }
}
