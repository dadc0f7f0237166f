package org.myelin.federation.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.id.UserId;
import org.myelin.protocol.json.CanonicalJsonException;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.storage.StorageException;
import org.myelin.storage.rooms.MembershipRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the EDUs of a transaction and hands each to {@link InboundEdus}, after the checks the
 * spec asks for: a user must belong to the sending server; typing and receipts only for rooms
 * whose server ACL admits the sender, typing only from users joined to the room. A malformed EDU,
 * or one other than a to-device EDU holding U+0000 in any string, is logged and skipped; it never
 * fails the transaction. Only a to-device EDU that could not be stored does, so that its sender
 * sends it again rather than lose it.
 */
final class EduDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(EduDispatcher.class);

    private final InboundEdus edus;
    private final InboundEdus.DeviceLists deviceLists;
    private final RoomAccess access;
    private final MembershipRepository memberships;

    EduDispatcher(InboundEdus edus, RoomAccess access, MembershipRepository memberships) {
        this.edus = edus;
        // device list EDUs go to their own handler when the one given takes them too
        this.deviceLists = edus instanceof InboundEdus.DeviceLists d ? d : InboundEdus.DeviceLists.DROP;
        this.access = access;
        this.memberships = memberships;
    }

    void dispatch(String origin, JsonNode edu) {
        if (!(edu instanceof ObjectNode) || !edu.path("edu_type").isTextual()
                || !(edu.get("content") instanceof ObjectNode content)) {
            LOG.info("Skipping a malformed EDU from {}", origin);
            return;
        }
        String type = edu.get("edu_type").textValue();
        try {
            if (!DirectToDevice.EDU_TYPE.equals(type)) {
                MatrixJson.checkNoNul(content, "");
            }
        } catch (CanonicalJsonException e) {
            // What these EDUs carry (receipt threads, presence status) is stored in columns and
            // JSONB, which cannot hold U+0000; such an EDU is best effort, so it is dropped.
            // To-device content is kept as text, and arrives as sent.
            LOG.info("Skipping a {} EDU from {}: {}", type, origin, e.getMessage());
            return;
        }
        try {
            switch (type) {
                case "m.typing" -> typing(origin, content);
                case "m.receipt" -> receipts(origin, content);
                case "m.presence" -> presence(origin, content);
                case DirectToDevice.EDU_TYPE -> directToDevice(origin, content);
                case "m.device_list_update" -> DeviceListEdus.deviceListUpdate(origin, content, deviceLists);
                case "m.signing_key_update" -> DeviceListEdus.signingKeyUpdate(origin, content, deviceLists);
                default -> edus.other(origin, type, content);
            }
        } catch (StorageException e) {
            if (DirectToDevice.EDU_TYPE.equals(type)) {
                // Not stored: the transaction fails, and its sender sends it again (delivered once by message_id).
                throw e;
            }
            LOG.warn("{} EDU from {} failed", type, origin, e);
        } catch (RuntimeException e) {
            LOG.warn("{} EDU from {} failed", type, origin, e);
        }
    }

    static boolean isUserOf(String userId, String origin) {
        return UserId.isValid(userId) && Pdu.domainOf(userId).equals(origin);
    }

    private void typing(String origin, ObjectNode content) {
        String roomId = content.path("room_id").asText(null);
        String userId = content.path("user_id").asText(null);
        if (roomId == null || userId == null || !content.path("typing").isBoolean()) {
            LOG.info("Skipping a malformed typing EDU from {}", origin);
            return;
        }
        if (!isUserOf(userId, origin)) {
            LOG.info("Skipping a typing EDU from {} for {}, not its user", origin, userId);
            return;
        }
        if (!access.acl(roomId).allows(origin)) {
            return;
        }
        var membership = memberships.of(roomId, userId);
        if (membership.isEmpty() || !"join".equals(membership.get().membership())) {
            LOG.info("Skipping a typing EDU from {}: {} is not in {}", origin, userId, roomId);
            return;
        }
        edus.typing(origin, new InboundEdus.Typing(roomId, userId, content.get("typing").booleanValue()));
    }

    private void receipts(String origin, ObjectNode content) {
        for (Map.Entry<String, JsonNode> room : content.properties()) {
            if (!access.acl(room.getKey()).allows(origin)) {
                continue; // every receipt of a room that denies the sender is ignored
            }
            for (Map.Entry<String, JsonNode> byType : room.getValue().properties()) {
                for (Map.Entry<String, JsonNode> byUser : byType.getValue().properties()) {
                    receipt(origin, room.getKey(), byType.getKey(), byUser.getKey(), byUser.getValue());
                }
            }
        }
    }

    private void receipt(String origin, String roomId, String type, String userId, JsonNode receipt) {
        if (!isUserOf(userId, origin)) {
            LOG.info("Skipping a receipt from {} for {}, not its user", origin, userId);
            return;
        }
        List<String> eventIds = new ArrayList<>();
        receipt.path("event_ids").forEach(id -> {
            if (id.isTextual()) {
                eventIds.add(id.textValue());
            }
        });
        JsonNode data = receipt.get("data");
        if (eventIds.isEmpty() || !(data instanceof ObjectNode dataObject)) {
            LOG.info("Skipping a malformed receipt from {}", origin);
            return;
        }
        edus.receipt(origin, new InboundEdus.Receipt(roomId, type, userId, List.copyOf(eventIds), dataObject));
    }

    private void directToDevice(String origin, ObjectNode content) {
        DirectToDevice message;
        try {
            message = DirectToDevice.parse(origin, content);
        } catch (IllegalArgumentException e) {
            LOG.info("Skipping a to-device EDU from {}: {}", origin, e.getMessage());
            return;
        }
        edus.toDevice(origin, message);
    }

    private void presence(String origin, ObjectNode content) {
        for (JsonNode update : content.path("push")) {
            String userId = update.path("user_id").asText(null);
            String presence = update.path("presence").asText(null);
            if (userId == null || presence == null || !update.path("last_active_ago").canConvertToLong()) {
                LOG.info("Skipping a malformed presence update from {}", origin);
                continue;
            }
            if (!isUserOf(userId, origin)) {
                LOG.info("Skipping a presence update from {} for {}, not its user", origin, userId);
                continue;
            }
            JsonNode status = update.path("status_msg");
            edus.presence(origin, new InboundEdus.Presence(userId, presence, status.isTextual() ? status.textValue() : null,
                    update.path("last_active_ago").asLong(), update.path("currently_active").asBoolean(false)));
        }
    }
}
