package org.myelin.server.appservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import org.myelin.server.client.presence.PresenceService;
import org.myelin.server.client.presence.PresenceStatus;
import org.myelin.server.client.receipts.Receipts;
import org.myelin.server.client.typing.TypingNotifications;
import org.myelin.server.http.Json;
import org.myelin.storage.streams.ToDeviceRepository;

/**
 * Hands ephemeral events to the application services that asked for them
 * ({@code receive_ephemeral}, MSC2409): typing and public read receipts in rooms of their
 * interest and presence of the users in them, as Synapse's
 * {@code notify_interested_services_ephemeral}, and to-device messages
 * for their users' devices (MSC4203), each with {@code to_user_id} and {@code to_device_id}.
 */
final class EphemeralFeed implements TypingNotifications.Listener, Receipts.Listener, PresenceService.Listener {

    /** A service's sender and what it knows of the rooms. */
    record Target(AppService service, TransactionSender sender, EventInterest.Rooms rooms) {
    }

    /** What the feed reads: who types in a room, a user's presence, joined rooms and devices. */
    record Sources(Function<String, List<String>> typists, Function<String, PresenceStatus> presence,
                   Function<String, List<String>> joinedRooms, Function<String, List<String>> devicesOf) {
    }

    private final List<Target> targets;
    private final Sources sources;

    EphemeralFeed(List<Target> targets, Sources sources) {
        this.targets = targets.stream().filter(t -> t.service().ephemeral() != AppService.Ephemeral.NONE).toList();
        this.sources = sources;
    }

    /**
     * A user's presence changed: services interested in the user, or in one of the user's rooms,
     * get it (Synapse's {@code is_interested_in_presence}).
     */
    @Override
    public void changed(String userId, long position) {
        ObjectNode event = null;
        for (Target t : targets) {
            EventInterest interest = new EventInterest(t.service(), t.rooms());
            if (t.service().isInterestedInUser(userId)
                    || sources.joinedRooms().apply(userId).stream().anyMatch(interest::wantsRoom)) {
                if (event == null) {
                    event = Json.MAPPER.createObjectNode().put("type", "m.presence").put("sender", userId);
                    event.set("content", Json.MAPPER.valueToTree(sources.presence().apply(userId)));
                }
                t.sender().ephemeral.add(event.deepCopy());
                t.sender().wake();
            }
        }
    }

    boolean isEmpty() {
        return targets.isEmpty();
    }

    @Override
    public void typing(String roomId, String userId, boolean typing, long timeoutMs) {
        ObjectNode event = null;
        for (Target t : targets) {
            if (new EventInterest(t.service(), t.rooms()).wantsRoom(roomId)) {
                if (event == null) {
                    event = Json.MAPPER.createObjectNode().put("type", "m.typing").put("room_id", roomId);
                    event.putObject("content").putPOJO("user_ids", sources.typists().apply(roomId));
                }
                t.sender().ephemeral.add(event.deepCopy());
                t.sender().wake();
            }
        }
    }

    @Override
    public void receipt(String roomId, String type, String userId, String eventId, String threadId, long ts) {
        if (!Receipts.READ.equals(type)) {
            return; // private receipts are the user's own business
        }
        for (Target t : targets) {
            if (new EventInterest(t.service(), t.rooms()).wantsRoom(roomId)) {
                ObjectNode event = Json.MAPPER.createObjectNode().put("type", "m.receipt").put("room_id", roomId);
                ObjectNode receipt = event.putObject("content").putObject(eventId).putObject(type).putObject(userId);
                receipt.put("ts", ts);
                if (threadId != null) {
                    receipt.put("thread_id", threadId);
                }
                t.sender().ephemeral.add(event);
                t.sender().wake();
            }
        }
    }

    /** A batch of to-device messages stored for local devices. */
    void toDevice(ToDeviceRepository.Batch batch) {
        for (Target t : targets) {
            boolean any = false;
            for (ToDeviceRepository.LocalRecipient r : batch.local()) {
                if (!t.service().isInterestedInUser(r.userId())) {
                    continue;
                }
                // A message to all of a user's devices ("*") reaches the service once per device, named,
                // as the devices' inboxes hold it (Synapse reads them).
                List<String> devices = r.deviceId() == null ? sources.devicesOf().apply(r.userId()) : List.of(r.deviceId());
                for (String deviceId : devices) {
                    ObjectNode message = Json.MAPPER.createObjectNode().put("type", batch.type())
                            .put("sender", batch.sender()).put("to_user_id", r.userId()).put("to_device_id", deviceId);
                    message.set("content", parse(r.content()));
                    t.sender().toDevice.add(message);
                    any = true;
                }
            }
            if (any) {
                t.sender().wake();
            }
        }
    }

    private static JsonNode parse(String content) {
        try {
            return Json.MAPPER.readTree(content);
        } catch (IOException e) {
            throw new IllegalStateException("stored to-device content is not JSON", e);
        }
    }
}
