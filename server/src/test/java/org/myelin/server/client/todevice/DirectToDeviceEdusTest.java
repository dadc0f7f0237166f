package org.myelin.server.client.todevice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a request's messages for one server become {@code m.direct_to_device} EDUs of at most 64 KiB. */
class DirectToDeviceEdusTest {

    private final AtomicInteger ids = new AtomicInteger();

    private List<byte[]> split(Map<String, Map<String, ObjectNode>> messages) {
        return DirectToDeviceEdus.split("@alice:here", "m.room.encrypted", messages, () -> "id" + ids.incrementAndGet());
    }

    private static ObjectNode content(int bytes) {
        return Json.MAPPER.createObjectNode().put("ciphertext", "x".repeat(bytes));
    }

    @Test
    void smallMessagesGoInOneEdu() {
        Map<String, Map<String, ObjectNode>> messages = new LinkedHashMap<>();
        messages.put("@bob:there", Map.of("PHONE", content(10), "LAPTOP", content(10)));
        messages.put("@carol:there", Map.of("*", content(10)));
        List<byte[]> edus = split(messages);
        assertEquals(1, edus.size());
        JsonNode edu = MatrixJson.parse(edus.getFirst(), MatrixJson.Numbers.STRICT_INTEGERS);
        assertEquals("@alice:here", edu.path("sender").asText());
        assertEquals("m.room.encrypted", edu.path("type").asText());
        assertEquals("id1", edu.path("message_id").asText());
        assertEquals(2, edu.path("messages").path("@bob:there").size());
        assertEquals(content(10), edu.path("messages").path("@carol:there").path("*"));
    }

    @Test
    void manyMessagesAreSplitIntoEdusOfAtMost64KiBEachWithItsOwnId() {
        Map<String, Map<String, ObjectNode>> messages = new LinkedHashMap<>();
        for (int u = 0; u < 10; u++) {
            Map<String, ObjectNode> byDevice = new LinkedHashMap<>();
            for (int d = 0; d < 20; d++) {
                byDevice.put("DEVICE" + d, content(2_000));
            }
            messages.put("@user" + u + ":there", byDevice);
        }
        List<byte[]> edus = split(messages);
        assertTrue(edus.size() >= 7, "400 KB in EDUs of 64 KiB: " + edus.size());
        Set<String> delivered = new HashSet<>();
        Set<String> messageIds = new HashSet<>();
        for (byte[] content : edus) {
            ObjectNode edu = Json.MAPPER.createObjectNode().put("edu_type", "m.direct_to_device");
            JsonNode parsed = MatrixJson.parse(content, MatrixJson.Numbers.STRICT_INTEGERS);
            edu.set("content", parsed);
            assertTrue(CanonicalJson.encode(edu).length <= DirectToDeviceEdus.MAX_EDU_BYTES);
            messageIds.add(parsed.path("message_id").asText());
            parsed.path("messages").properties().forEach(user -> user.getValue().properties()
                    .forEach(device -> assertTrue(delivered.add(user.getKey() + "/" + device.getKey()))));
        }
        assertEquals(200, delivered.size(), "every message once");
        assertEquals(edus.size(), messageIds.size());
    }

    @Test
    void aMessageTooLargeForAnEduIsRefused() {
        MatrixException e = assertThrows(MatrixException.class,
                () -> split(Map.of("@bob:there", Map.of("PHONE", content(70_000)))));
        assertEquals(ErrCode.M_TOO_LARGE, e.errCode());
    }

    @Test
    void contentThatCanonicalJsonCannotHoldIsTheClientsError() {
        ObjectNode withFloat = Json.MAPPER.createObjectNode().put("ratio", 0.5);
        MatrixException e = assertThrows(MatrixException.class,
                () -> split(Map.of("@bob:there", Map.of("PHONE", withFloat))));
        assertEquals(ErrCode.M_BAD_JSON, e.errCode());
    }
}
