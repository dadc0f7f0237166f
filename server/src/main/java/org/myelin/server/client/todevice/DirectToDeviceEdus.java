package org.myelin.server.client.todevice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.myelin.federation.inbound.DirectToDevice;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.protocol.json.CanonicalJsonException;
import org.myelin.server.http.MatrixException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code m.direct_to_device} EDUs (server-server API, "Send-to-device messaging") that carry a
 * request's messages for the users of one other server: as many as it takes for each EDU to stay
 * within {@link #MAX_EDU_BYTES}, as Synapse splits them, each with a {@code message_id} of its own.
 * Contents go as canonical JSON, which federation requests are signed in: one it cannot encode
 * (a float, an unpaired surrogate) is the client's 400.
 */
final class DirectToDeviceEdus {

    /** An EDU, {@code edu_type} and {@code content}, in canonical JSON: Synapse's MAX_EDU_SIZE. */
    static final int MAX_EDU_BYTES = 65_536;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private DirectToDeviceEdus() {
    }

    /**
     * The canonical contents of the EDUs for {@code messages} (by user, then device) from
     * {@code sender}. 413 M_TOO_LARGE when one device's message alone is too large for an EDU.
     */
    static List<byte[]> split(String sender, String type, Map<String, Map<String, ObjectNode>> messages,
                              Supplier<String> messageIds) {
        List<byte[]> edus = new ArrayList<>();
        ObjectNode content = newContent(sender, type, messageIds.get());
        // Canonical sizes, summed as they are added: keys, colons, braces and one comma each, an
        // upper bound of what the entries take once sorted into the EDU.
        long empty = encode(envelope(content)).length;
        long size = empty;
        for (Map.Entry<String, Map<String, ObjectNode>> user : messages.entrySet()) {
            long userCost = encode(TextNode.valueOf(user.getKey())).length + 4;
            for (Map.Entry<String, ObjectNode> device : user.getValue().entrySet()) {
                long cost = encode(TextNode.valueOf(device.getKey())).length + 2 + encode(device.getValue()).length;
                ObjectNode byDevice = (ObjectNode) content.path("messages").get(user.getKey());
                long added = cost + (byDevice == null ? userCost : 0);
                if (empty + added > MAX_EDU_BYTES) {
                    throw MatrixException.tooLarge("The message to " + user.getKey() + "'s device " + device.getKey()
                            + " is too large to send to their server");
                }
                if (size + added > MAX_EDU_BYTES) {
                    edus.add(encode(content));
                    content = newContent(sender, type, messageIds.get());
                    size = empty;
                    byDevice = null;
                    added = cost + userCost;
                }
                if (byDevice == null) {
                    byDevice = ((ObjectNode) content.get("messages")).putObject(user.getKey());
                }
                byDevice.set(device.getKey(), device.getValue());
                size += added;
            }
        }
        if (!content.path("messages").isEmpty()) {
            edus.add(encode(content));
        }
        return edus;
    }

    private static ObjectNode newContent(String sender, String type, String messageId) {
        ObjectNode content = JSON.objectNode().put("sender", sender).put("type", type).put("message_id", messageId);
        content.putObject("messages");
        return content;
    }

    private static ObjectNode envelope(ObjectNode content) {
        ObjectNode edu = JSON.objectNode().put("edu_type", DirectToDevice.EDU_TYPE);
        edu.set("content", content);
        return edu;
    }

    private static byte[] encode(JsonNode value) {
        try {
            return CanonicalJson.encode(value);
        } catch (CanonicalJsonException e) {
            throw MatrixException.badJson("A message for another server cannot be sent as canonical JSON: "
                    + e.getMessage());
        }
    }
}
