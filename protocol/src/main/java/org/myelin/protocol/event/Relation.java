package org.myelin.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;

/**
 * An event's relationship to another event (client-server API, "Forming relationships between
 * events"): the {@code m.relates_to} of its content, with a {@code rel_type} and the parent's
 * {@code event_id}, both strings, and for annotations a string {@code key}. An event whose
 * {@code m.relates_to} lacks either string has no relation (a reply's {@code m.in_reply_to}
 * alone is none); an aggregation key that is not a string counts as none, as Synapse reads it.
 * Relations are in cleartext even in encrypted events, so the server reads them there too.
 *
 * @param relType        the relationship type, {@link #THREAD}, {@link #REPLACE}, … or any other
 * @param parentId       the event it relates to
 * @param aggregationKey the annotation's key, or null
 */
public record Relation(String relType, String parentId, String aggregationKey) {

    public static final String THREAD = "m.thread";
    public static final String REPLACE = "m.replace";
    public static final String REFERENCE = "m.reference";
    public static final String ANNOTATION = "m.annotation";

    /** The relation of an event with this content, if it has one. */
    public static Optional<Relation> of(JsonNode content) {
        JsonNode relatesTo = content == null ? null : content.get("m.relates_to");
        if (relatesTo == null || !relatesTo.isObject()) {
            return Optional.empty();
        }
        JsonNode relType = relatesTo.get("rel_type");
        JsonNode parent = relatesTo.get("event_id");
        if (relType == null || !relType.isTextual() || parent == null || !parent.isTextual()) {
            return Optional.empty();
        }
        JsonNode key = relatesTo.get("key");
        return Optional.of(new Relation(relType.textValue(), parent.textValue(),
                key != null && key.isTextual() ? key.textValue() : null));
    }

    /** The relation of {@code pdu}, if it has one. */
    public static Optional<Relation> of(Pdu pdu) {
        return of(pdu.content());
    }

    /**
     * Whether an event with this relation may itself have events bundled with it: an edit or an
     * annotation may not (spec, "Relationship types"; Synapse leaves them without aggregations).
     */
    public boolean allowsChildren() {
        return !relType.equals(REPLACE) && !relType.equals(ANNOTATION);
    }
}
