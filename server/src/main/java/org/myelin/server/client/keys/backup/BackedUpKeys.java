package org.myelin.server.client.keys.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.keys.backup.KeyBackupRepository.RoomSession;
import org.myelin.storage.keys.backup.KeyBackupRepository.SessionKey;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bodies of {@code PUT /room_keys/keys[/{roomId}[/{sessionId}]]} (client-server API,
 * "Server-side key backups"), read into the session keys they hold: {@code KeyBackupData} is
 * {@code first_message_index} and {@code forwarded_count} (integers of at least 0),
 * {@code is_verified} (a boolean; M_INVALID_PARAM otherwise, as Synapse says) and
 * {@code session_data} (an object, kept as JSON text). Anything else is 400 M_BAD_JSON.
 */
final class BackedUpKeys {

    /** Room and session ids are identifiers: bounded as ids are. */
    static final int MAX_ID_LENGTH = 255;

    private BackedUpKeys() {
    }

    /** {@code {"rooms": {roomId: {"sessions": {sessionId: KeyBackupData}}}}}. */
    static List<RoomSession> ofAll(JsonNode body) {
        List<RoomSession> sessions = new ArrayList<>();
        for (Map.Entry<String, JsonNode> room : object(object(body, "request body").get("rooms"), "rooms").properties()) {
            sessions.addAll(ofRoom(room.getKey(), room.getValue()));
        }
        return sessions;
    }

    /** {@code {"sessions": {sessionId: KeyBackupData}}} for {@code roomId}. */
    static List<RoomSession> ofRoom(String roomId, JsonNode body) {
        id(roomId, "room id");
        List<RoomSession> sessions = new ArrayList<>();
        JsonNode byId = object(body, "the keys of " + roomId).get("sessions");
        for (Map.Entry<String, JsonNode> session : object(byId, "sessions of " + roomId).properties()) {
            sessions.add(ofSession(roomId, session.getKey(), session.getValue()));
        }
        return sessions;
    }

    /** One {@code KeyBackupData} for a session of a room. */
    static RoomSession ofSession(String roomId, String sessionId, JsonNode body) {
        id(roomId, "room id");
        id(sessionId, "session id");
        String where = "session " + sessionId + " of " + roomId;
        ObjectNode data = object(body, where);
        long firstMessageIndex = count(data, "first_message_index", where);
        long forwardedCount = count(data, "forwarded_count", where);
        JsonNode verified = data.get("is_verified");
        if (verified == null || !verified.isBoolean()) {
            throw MatrixException.invalidParam("is_verified must be a boolean in " + where);
        }
        ObjectNode sessionData = object(data.get("session_data"), "session_data of " + where);
        return new RoomSession(roomId, sessionId,
                new SessionKey(firstMessageIndex, forwardedCount, verified.booleanValue(), text(sessionData)));
    }

    /** JSON as UTF-8 text, an unpaired surrogate escaped rather than replaced: kept as it came. */
    static String text(ObjectNode json) {
        try {
            return new String(Json.MAPPER.writeValueAsBytes(json), StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON object cannot be written", e);
        }
    }

    private static ObjectNode object(JsonNode node, String what) {
        if (!(node instanceof ObjectNode object)) {
            throw MatrixException.badJson((node == null ? "Missing " : "Not an object: ") + what);
        }
        return object;
    }

    private static long count(ObjectNode data, String field, String where) {
        JsonNode value = data.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            throw MatrixException.badJson(field + " must be an integer of at least 0 in " + where);
        }
        return value.longValue();
    }

    private static void id(String id, String what) {
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw MatrixException.invalidParam("The " + what + " must have 1 to " + MAX_ID_LENGTH + " characters");
        }
    }
}
