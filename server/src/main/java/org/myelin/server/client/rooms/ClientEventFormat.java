package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.Redaction;

/**
 * The client format of an event (client-server API, "Room Event Format" / {@code ClientEvent}):
 * {@code content}, {@code event_id}, {@code origin_server_ts}, {@code room_id}, {@code sender},
 * {@code type}, {@code state_key} for state events, {@code redacts} for redactions, and
 * {@code unsigned} ({@code age}, {@code prev_content}, {@code prev_sender} and
 * {@code replaces_state} of state events, {@code redacted_because}, {@code transaction_id}, the
 * bundled aggregations {@code m.relations}).
 * The federation-only fields (hashes, signatures, prev and auth events, depth) are left out.
 *
 * <p>Pure: what the event store knows beside the event (its redaction, the state it replaced,
 * its transaction id) comes in as {@link Extras}; {@link ClientEvents} looks those up in batches.
 */
public final class ClientEventFormat {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /**
     * What the server knows about an event beside the event itself.
     *
     * @param redactedBecause the redaction applied to the event, already in client format; null if none
     * @param replaced        the state event this one replaced (state events only); null if none
     * @param transactionId   the transaction id the event was sent with, given only to the device that sent it
     * @param relations       the aggregations of its children ({@link BundledAggregations}); null if none
     */
    public record Extras(ObjectNode redactedBecause, Pdu replaced, String transactionId, ObjectNode relations) {
        public static final Extras NONE = new Extras(null, null, null, null);

        public Extras(ObjectNode redactedBecause, Pdu replaced, String transactionId) {
            this(redactedBecause, replaced, transactionId, null);
        }
    }

    private ClientEventFormat() {
    }

    /** The event in client format, as seen at {@code nowMillis}. */
    public static ObjectNode format(Pdu pdu, Extras extras, long nowMillis) {
        boolean redacted = extras.redactedBecause() != null;
        JsonNode content = redacted
                ? Redaction.redact(pdu.json(), pdu.roomVersion().redaction()).get("content")
                : pdu.content();
        ObjectNode event = JSON.objectNode();
        event.set("content", content.deepCopy());
        event.put("event_id", pdu.eventId());
        event.put("origin_server_ts", pdu.originServerTs());
        event.put("room_id", pdu.roomId());
        event.put("sender", pdu.sender());
        if (pdu.isState()) {
            event.put("state_key", pdu.stateKey());
        }
        event.put("type", pdu.type());
        if (pdu.redacts() != null) {
            // Top level as well as in content from v11, as clients of older versions read it there.
            event.put("redacts", pdu.redacts());
        }
        event.set("unsigned", unsigned(pdu, extras, redacted, nowMillis));
        return event;
    }

    private static ObjectNode unsigned(Pdu pdu, Extras extras, boolean redacted, long nowMillis) {
        ObjectNode unsigned = JSON.objectNode();
        unsigned.put("age", Math.max(0, nowMillis - pdu.originServerTs()));
        if (extras.replaced() != null) {
            if (!redacted) {
                // A redacted event keeps no content, not even the previous one.
                unsigned.set("prev_content", extras.replaced().content().deepCopy());
                unsigned.put("prev_sender", extras.replaced().sender());
            }
            unsigned.put("replaces_state", extras.replaced().eventId());
        }
        if (redacted) {
            unsigned.set("redacted_because", extras.redactedBecause());
        }
        if (extras.transactionId() != null) {
            unsigned.put("transaction_id", extras.transactionId());
        }
        if (extras.relations() != null) {
            unsigned.set("m.relations", extras.relations());
        }
        return unsigned;
    }
}
