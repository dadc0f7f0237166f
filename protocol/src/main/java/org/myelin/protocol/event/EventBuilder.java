package org.myelin.protocol.event;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.json.CanonicalJsonException;
import org.myelin.protocol.version.RoomVersion;

import java.util.List;
import java.util.Objects;

/**
 * Builds a new event in the format of its room version, then hashes and signs it
 * (server-server API, "Adding hashes and signatures to outgoing events"). Choosing
 * {@code prev_events}, {@code auth_events} and {@code depth} is the caller's job.
 */
public final class EventBuilder {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final RoomVersion version;
    private final String roomId;
    private String eventId;
    private String type;
    private String stateKey;
    private String sender;
    private ObjectNode content = JSON.objectNode();
    private List<String> prevEvents = List.of();
    private List<String> authEvents = List.of();
    private long depth = 1;
    private long originServerTs;
    private String redacts;
    private String origin;

    private EventBuilder(RoomVersion version, String roomId) {
        this.version = Objects.requireNonNull(version, "version");
        this.roomId = roomId;
    }

    /**
     * A builder for an event in room {@code roomId}; {@code roomId} is null only for the create
     * event of a room version whose room id is the create event's hash (v12).
     */
    public static EventBuilder in(RoomVersion version, String roomId) {
        return new EventBuilder(version, roomId);
    }

    /** Room versions 1 and 2 carry the event id in the event; the creating server picks it. */
    public EventBuilder eventId(String eventId) {
        this.eventId = eventId;
        return this;
    }

    public EventBuilder type(String type) {
        this.type = type;
        return this;
    }

    public EventBuilder stateKey(String stateKey) {
        this.stateKey = stateKey;
        return this;
    }

    public EventBuilder sender(String sender) {
        this.sender = sender;
        return this;
    }

    public EventBuilder content(ObjectNode content) {
        this.content = content.deepCopy();
        return this;
    }

    public EventBuilder prevEvents(List<String> prevEvents) {
        this.prevEvents = List.copyOf(prevEvents);
        return this;
    }

    public EventBuilder authEvents(List<String> authEvents) {
        this.authEvents = List.copyOf(authEvents);
        return this;
    }

    public EventBuilder depth(long depth) {
        this.depth = depth;
        return this;
    }

    public EventBuilder originServerTs(long originServerTs) {
        this.originServerTs = originServerTs;
        return this;
    }

    /** The target of an {@code m.room.redaction}: top-level before v11, in content from v11. */
    public EventBuilder redacts(String redacts) {
        this.redacts = redacts;
        return this;
    }

    /** The deprecated top-level {@code origin}; servers still send it for older peers. */
    public EventBuilder origin(String origin) {
        this.origin = origin;
        return this;
    }

    /** The event as JSON, not yet hashed or signed. */
    public ObjectNode unsignedJson() {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sender, "sender");
        ObjectNode event = JSON.objectNode();
        event.put("type", type);
        event.put("sender", sender);
        if (roomId != null) {
            event.put("room_id", roomId);
        }
        if (stateKey != null) {
            event.put("state_key", stateKey);
        }
        ObjectNode eventContent = content.deepCopy();
        if (redacts != null) {
            if (version.redactsInContent()) {
                eventContent.put("redacts", redacts);
            } else {
                event.put("redacts", redacts);
            }
        }
        event.set("content", eventContent);
        event.set("prev_events", edges(prevEvents));
        event.set("auth_events", edges(authEvents));
        event.put("depth", depth);
        event.put("origin_server_ts", originServerTs);
        if (origin != null) {
            event.put("origin", origin);
        }
        if (!version.eventFormat().eventIdIsHash()) {
            event.put("event_id", Objects.requireNonNull(eventId, "room versions 1 and 2 need an event id"));
        }
        return event;
    }

    /**
     * Hashes and signs the event as {@code server}, and parses the result.
     *
     * @throws InvalidEventException if the event breaks the format of its room version, or its
     *                               content has no canonical form (a fraction, say) to hash
     */
    public Pdu build(String server, SigningKey key) {
        ObjectNode signed;
        try {
            signed = EventSigning.hashAndSign(unsignedJson(), version, server, key);
        } catch (CanonicalJsonException e) {
            throw new InvalidEventException(e.getMessage(), e);
        }
        return Pdu.parse(signed, version);
    }

    private ArrayNode edges(List<String> ids) {
        ArrayNode array = JSON.arrayNode();
        for (String id : ids) {
            if (version.eventFormat().eventIdIsHash()) {
                array.add(id);
            } else {
                // v1/v2 edges are [event_id, {hashes}]; no server checks these hashes.
                ArrayNode pair = array.addArray();
                pair.add(id);
                pair.add(JSON.objectNode());
            }
        }
        return array;
    }

}
