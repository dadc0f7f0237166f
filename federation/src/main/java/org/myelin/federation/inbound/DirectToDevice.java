package org.myelin.federation.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.id.UserId;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@code m.direct_to_device} EDU (server-server API, "Send-to-device messaging"): to-device
 * messages of one type from one user of the sending server, for users of ours.
 *
 * @param messageId what makes the EDU idempotent: the same id from the same origin is delivered once
 * @param messages  by user id, then by device id ({@code *} for every device of the user), the content
 */
public record DirectToDevice(String sender, String type, String messageId,
                             Map<String, Map<String, ObjectNode>> messages) {

    public static final String EDU_TYPE = "m.direct_to_device";
    /** The spec allows 32 code points; Synapse checks none. Bounded so that it can be kept as a key. */
    static final int MAX_MESSAGE_ID_LENGTH = 255;

    public DirectToDevice {
        messages = Collections.unmodifiableMap(new LinkedHashMap<>(messages));
    }

    /**
     * Reads the EDU's content as {@code origin} sent it. Throws {@link IllegalArgumentException},
     * naming the fault, when a field is missing or of the wrong type, or when the sender is not a
     * user of {@code origin} (a server speaks only for its own users). A recipient entry that is
     * not an object is left out.
     */
    static DirectToDevice parse(String origin, ObjectNode content) {
        String sender = text(content, "sender");
        String type = text(content, "type");
        String messageId = text(content, "message_id");
        if (messageId.length() > MAX_MESSAGE_ID_LENGTH) {
            throw new IllegalArgumentException("message_id is longer than " + MAX_MESSAGE_ID_LENGTH + " characters");
        }
        if (!UserId.isValid(sender) || !Pdu.domainOf(sender).equals(origin)) {
            throw new IllegalArgumentException("sender " + sender + " is not a user of " + origin);
        }
        if (!(content.get("messages") instanceof ObjectNode byUser)) {
            throw new IllegalArgumentException("messages is not an object");
        }
        Map<String, Map<String, ObjectNode>> messages = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> user : byUser.properties()) {
            Map<String, ObjectNode> byDevice = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> device : user.getValue().properties()) {
                if (device.getValue() instanceof ObjectNode message) {
                    byDevice.put(device.getKey(), message);
                }
            }
            if (!byDevice.isEmpty()) {
                messages.put(user.getKey(), byDevice);
            }
        }
        return new DirectToDevice(sender, type, messageId, messages);
    }

    private static String text(ObjectNode content, String field) {
        JsonNode value = content.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw new IllegalArgumentException(field + " is not a non-empty string");
        }
        return value.textValue();
    }
}
