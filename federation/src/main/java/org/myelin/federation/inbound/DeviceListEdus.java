package org.myelin.federation.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code m.device_list_update} and {@code m.signing_key_update} EDUs (server-server API,
 * "Device Management", "Cross-signing keys"): a malformed one, or one about a user of another
 * server than the sender, is logged and dropped.
 */
final class DeviceListEdus {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceListEdus.class);

    private DeviceListEdus() {
    }

    static void deviceListUpdate(String origin, ObjectNode content, InboundEdus.DeviceLists to) {
        String userId = content.path("user_id").asText(null);
        String deviceId = content.path("device_id").asText(null);
        if (userId == null || deviceId == null || !content.path("stream_id").canConvertToLong()) {
            LOG.info("Skipping a malformed device list update from {}", origin);
            return;
        }
        if (!EduDispatcher.isUserOf(userId, origin)) {
            LOG.info("Skipping a device list update from {} for {}, not its user", origin, userId);
            return;
        }
        List<Long> prevIds = new ArrayList<>();
        for (JsonNode p : content.path("prev_id")) {
            if (!p.canConvertToLong()) {
                LOG.info("Skipping a device list update from {} with a malformed prev_id", origin);
                return;
            }
            prevIds.add(p.asLong());
        }
        boolean deleted = content.path("deleted").asBoolean(false);
        ObjectNode keys = content.get("keys") instanceof ObjectNode k ? k : null;
        if (keys != null && (!userId.equals(k(keys, "user_id")) || !deviceId.equals(k(keys, "device_id")))) {
            LOG.info("Skipping a device list update from {}: its keys are not those of {} {}", origin, userId, deviceId);
            return;
        }
        JsonNode name = content.get("device_display_name");
        to.deviceListUpdate(origin, new InboundEdus.DeviceListUpdate(userId, deviceId,
                name != null && name.isTextual() ? name.textValue() : null, content.get("stream_id").asLong(),
                List.copyOf(prevIds), deleted, keys));
    }

    static void signingKeyUpdate(String origin, ObjectNode content, InboundEdus.DeviceLists to) {
        String userId = content.path("user_id").asText(null);
        if (userId == null) {
            LOG.info("Skipping a malformed signing key update from {}", origin);
            return;
        }
        if (!EduDispatcher.isUserOf(userId, origin)) {
            LOG.info("Skipping a signing key update from {} for {}, not its user", origin, userId);
            return;
        }
        ObjectNode master = ownKey(content.get("master_key"), userId);
        ObjectNode selfSigning = ownKey(content.get("self_signing_key"), userId);
        if (master == null && selfSigning == null) {
            return;
        }
        to.signingKeyUpdate(origin, new InboundEdus.SigningKeyUpdate(userId, master, selfSigning));
    }

    private static ObjectNode ownKey(JsonNode key, String userId) {
        return key instanceof ObjectNode o && userId.equals(k(o, "user_id")) ? o : null;
    }

    private static String k(ObjectNode o, String field) {
        return o.path(field).asText(null);
    }
}
