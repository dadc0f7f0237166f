package org.myelin.protocol.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.id.EventId;
import org.myelin.protocol.id.RoomId;
import org.myelin.protocol.id.UserId;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.protocol.json.CanonicalJsonException;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.protocol.version.RoomVersion;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A persistent data unit: one event of a room's graph, in the format of its room version
 * (server-server API, "PDUs"; {@code pdu_v1} to {@code pdu_v12}).
 *
 * <p>Immutable. It keeps the JSON it was parsed from (never handed out for mutation) beside its
 * parsed fields; hashing, signing and re-sending use that JSON, never a re-serialised model.
 * {@link #parse} checks the format; hashes, signatures and auth are later steps.
 */
public final class Pdu {

    /** Largest canonical JSON encoding of a whole event, signatures included. */
    public static final int MAX_EVENT_BYTES = 65536;
    /** Largest {@code type}, {@code state_key} and identifier, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 255;
    /**
     * Most {@code prev_events} an event may have: Synapse refuses more (as a received event could
     * otherwise cost a huge state resolution), so an event with more would fork the room.
     */
    public static final int MAX_PREV_EVENTS = 20;
    /** Most {@code auth_events} an event may have (Synapse's limit; no version's rules need more). */
    public static final int MAX_AUTH_EVENTS = 10;

    private final ObjectNode json;
    private final RoomVersion roomVersion;
    private final String eventId;
    private final String roomId;
    private final String sender;
    private final String type;
    private final String stateKey;
    private final ObjectNode content;
    private final List<String> prevEventIds;
    private final List<String> authEventIds;
    private final long depth;
    private final long originServerTs;
    private final String redacts;
    /** Encoded once at parse: the event id's input (v3+) and what signatures cover. */
    private final byte[] redactedSignedBytes;

    private Pdu(ObjectNode json, RoomVersion roomVersion, String eventId, byte[] redactedSignedBytes) {
        this.json = json;
        this.roomVersion = roomVersion;
        this.eventId = eventId;
        this.redactedSignedBytes = redactedSignedBytes;
        this.type = requiredString(json, "type");
        this.sender = requiredString(json, "sender");
        this.stateKey = optionalString(json, "state_key");
        this.content = requiredObject(json, "content");
        this.depth = requiredInteger(json, "depth");
        this.originServerTs = requiredInteger(json, "origin_server_ts");
        this.prevEventIds = edges(json, "prev_events", roomVersion);
        this.authEventIds = edges(json, "auth_events", roomVersion);
        this.roomId = roomIdOf(json, roomVersion, type, stateKey, eventId);
        this.redacts = roomVersion.redactsInContent()
                ? optionalString(content, "redacts")
                : optionalString(json, "redacts");
        checkIds();
    }

    /**
     * Parses and format-checks an event of {@code roomVersion} received from a server or built
     * locally, its limits included (size, {@code prev_events}, {@code auth_events}, depth). Its id
     * is computed (v3+) or read (v1-v2).
     *
     * @throws InvalidEventException if the event breaks the format of its room version
     */
    public static Pdu parse(ObjectNode json, RoomVersion roomVersion) {
        checkDepth(json);
        if (roomVersion.auth().strictCanonicalJson()) {
            try {
                MatrixJson.checkIntegers(json, "");
            } catch (CanonicalJsonException e) {
                throw new InvalidEventException(e.getMessage(), e);
            }
        }
        Pdu pdu = parseOwn(json.deepCopy(), roomVersion);
        pdu.checkLimits();
        return pdu;
    }

    /** Parses JSON no one else holds. */
    private static Pdu parseOwn(ObjectNode own, RoomVersion roomVersion) {
        try {
            byte[] redactedSignedBytes = EventHashes.redactedSignedBytes(own, roomVersion);
            String eventId = EventIds.of(own, roomVersion, redactedSignedBytes);
            return new Pdu(own, roomVersion, eventId, redactedSignedBytes);
        } catch (CanonicalJsonException e) {
            throw new InvalidEventException(e.getMessage(), e);
        }
    }

    /**
     * Parses an event from the bytes it was stored as. Its limits are not checked again: they were
     * when it arrived, and what this server keeps beside it ({@link #withUnsigned}) is not bound by
     * them.
     */
    public static Pdu parse(byte[] bytes, RoomVersion roomVersion) {
        ObjectNode json;
        try {
            json = MatrixJson.parseObject(bytes, roomVersion.auth().strictCanonicalJson()
                    ? MatrixJson.Numbers.STRICT_INTEGERS
                    : MatrixJson.Numbers.LENIENT);
        } catch (CanonicalJsonException e) {
            throw new InvalidEventException(e.getMessage(), e);
        }
        return parseOwn(json, roomVersion);
    }

    /** At most {@link MatrixJson#MAX_DEPTH} levels, the event object being the first and its content the second. */
    private static void checkDepth(ObjectNode json) {
        try {
            MatrixJson.checkDepth(json, "the event");
        } catch (CanonicalJsonException e) {
            throw new InvalidEventException(e.getMessage(), e);
        }
    }

    private void checkIds() {
        checkIdSize("event_id", eventId);
        checkIdSize("room_id", roomId);
        checkIdSize("sender", sender);
        if (!UserId.isValid(sender)) {
            throw new InvalidEventException("sender is not a user id: " + sender);
        }
        if (!RoomId.isValid(roomId)) {
            throw new InvalidEventException("room_id is not a room id: " + roomId);
        }
        checkIdSize("type", type);
        checkNoNul("type", type);
        if (stateKey != null) {
            checkIdSize("state_key", stateKey);
            checkNoNul("state_key", stateKey);
        }
        if (redacts != null) {
            checkNoNul("redacts", redacts);
        }
    }

    /** The limits of an event as sent between servers (client-server API, "Size limits"; Synapse's edge limits). */
    private void checkLimits() {
        int size = CanonicalJson.encode(json).length;
        if (size > MAX_EVENT_BYTES) {
            throw new InvalidEventException("event is " + size + " bytes, over the limit of " + MAX_EVENT_BYTES);
        }
        if (prevEventIds.size() > MAX_PREV_EVENTS) {
            throw new InvalidEventException("event has " + prevEventIds.size() + " prev_events, over the limit of "
                    + MAX_PREV_EVENTS);
        }
        if (authEventIds.size() > MAX_AUTH_EVENTS) {
            throw new InvalidEventException("event has " + authEventIds.size() + " auth_events, over the limit of "
                    + MAX_AUTH_EVENTS);
        }
        if (depth < 1) {
            // The depth is one more than the deepest prev event's, and a create event's is 1.
            throw new InvalidEventException("depth must be at least 1, not " + depth);
        }
    }

    /**
     * U+0000 may appear in content, but not in the strings servers index events by: no event id
     * or type holds one, and SQL text columns (ours, Synapse's) cannot store it.
     */
    private static void checkNoNul(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new InvalidEventException(field + " holds U+0000");
        }
    }

    private static void checkIdSize(String field, String value) {
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
            throw new InvalidEventException(field + " is longer than " + MAX_ID_BYTES + " bytes");
        }
    }

    private static String roomIdOf(ObjectNode json, RoomVersion version, String type, String stateKey, String eventId) {
        if (version.auth().roomIdIsCreateEventHash() && StateKey.CREATE.equals(type) && "".equals(stateKey)) {
            if (json.has("room_id")) {
                throw new InvalidEventException("a create event of " + version + " has no room_id");
            }
            return EventIds.roomIdOfCreateEvent(eventId);
        }
        return requiredString(json, "room_id");
    }

    private static List<String> edges(ObjectNode json, String field, RoomVersion version) {
        JsonNode array = json.get(field);
        if (array == null || !array.isArray()) {
            throw new InvalidEventException(field + " must be an array");
        }
        List<String> ids = new ArrayList<>(array.size());
        for (JsonNode edge : array) {
            JsonNode id = version.eventFormat().eventIdIsHash() ? edge : edge.path(0);
            if (!id.isTextual() || !EventId.isValid(id.textValue())) {
                throw new InvalidEventException(field + " holds something other than an event id: " + edge);
            }
            ids.add(id.textValue());
        }
        return Collections.unmodifiableList(ids);
    }

    private static String requiredString(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual()) {
            throw new InvalidEventException(field + " must be a string");
        }
        return value.textValue();
    }

    private static String optionalString(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidEventException(field + " must be a string");
        }
        return value.textValue();
    }

    private static ObjectNode requiredObject(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (!(value instanceof ObjectNode object)) {
            throw new InvalidEventException(field + " must be an object");
        }
        return object;
    }

    private static long requiredInteger(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidEventException(field + " must be an integer");
        }
        return value.longValue();
    }

    public String eventId() {
        return eventId;
    }

    public RoomVersion roomVersion() {
        return roomVersion;
    }

    public String roomId() {
        return roomId;
    }

    public String sender() {
        return sender;
    }

    /** The server part of the sender's user id. */
    public String senderDomain() {
        return domainOf(sender);
    }

    public String type() {
        return type;
    }

    /** The state key, or null for a message (non-state) event. */
    public String stateKey() {
        return stateKey;
    }

    public boolean isState() {
        return stateKey != null;
    }

    /** The state entry this event sets, if it is a state event. */
    public Optional<StateKey> stateEntry() {
        return stateKey == null ? Optional.empty() : Optional.of(new StateKey(type, stateKey));
    }

    /** Whether this event is of {@code type} with state key {@code stateKey}. */
    public boolean is(String type, String stateKey) {
        return this.type.equals(type) && stateKey.equals(this.stateKey);
    }

    /** The content, read-only: callers must not change it. */
    public ObjectNode content() {
        return content;
    }

    /** The {@code membership} of an {@code m.room.member} event, or null. */
    public String membership() {
        JsonNode membership = content.get("membership");
        return membership != null && membership.isTextual() ? membership.textValue() : null;
    }

    public List<String> prevEventIds() {
        return prevEventIds;
    }

    public List<String> authEventIds() {
        return authEventIds;
    }

    public long depth() {
        return depth;
    }

    public long originServerTs() {
        return originServerTs;
    }

    /** The event an {@code m.room.redaction} redacts, wherever the room version keeps it; or null. */
    public String redacts() {
        return redacts;
    }

    /** The event as JSON, read-only: callers must not change it (use {@link #jsonCopy()}). */
    public ObjectNode json() {
        return json;
    }

    /**
     * The canonical JSON of the redacted event without {@code signatures} and {@code unsigned}
     * ({@link EventHashes#redactedSignedBytes}): what every server's signature of it covers.
     * A copy: the PDU is immutable.
     */
    public byte[] redactedSignedBytes() {
        return redactedSignedBytes.clone();
    }

    public ObjectNode jsonCopy() {
        return json.deepCopy();
    }

    /**
     * This event with {@code unsigned.<key>} set to {@code value}: data this server keeps beside
     * the event, such as the stripped state an invite or a knock comes with. Neither the event's
     * id, hashes and signatures nor its size limit cover {@code unsigned} data a server adds; the
     * caller bounds what it adds.
     */
    public Pdu withUnsigned(String key, JsonNode value) {
        ObjectNode copy = json.deepCopy();
        JsonNode unsigned = copy.get("unsigned");
        (unsigned instanceof ObjectNode o ? o : copy.putObject("unsigned")).set(key, value.deepCopy());
        return new Pdu(copy, roomVersion, eventId, redactedSignedBytes);
    }

    /** The canonical JSON of the whole event, as stored and sent. */
    public byte[] canonicalBytes() {
        return CanonicalJson.encode(json);
    }

    /** The domain of a user, room or event id of the form {@code sigil localpart:domain}. */
    public static String domainOf(String id) {
        int colon = id.indexOf(':');
        return colon < 0 ? "" : id.substring(colon + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pdu other && eventId.equals(other.eventId);
    }

    @Override
    public int hashCode() {
        return eventId.hashCode();
    }

    @Override
    public String toString() {
        return "Pdu[" + eventId + " " + type + (stateKey != null ? "/" + stateKey : "") + " from " + sender + "]";
    }
}
