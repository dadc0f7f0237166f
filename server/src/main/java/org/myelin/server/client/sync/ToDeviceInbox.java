package org.myelin.server.client.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.server.http.Json;
import org.myelin.server.streams.StreamChangeCache;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.storage.streams.ToDeviceRepository;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A device's to-device messages (client-server API, "Send-to-Device messaging"), as /sync and
 * sliding sync's {@code to_device} extension deliver them: those at or before the position the
 * client comes back with were delivered by an earlier response it has now acknowledged, and are
 * deleted; those after it, up to a limit, are the next ones. Neither is read from the store when
 * the to-device stream has not moved for the user since: nothing arrived after the position, and
 * nothing is left at or before it once this process deleted up to it.
 */
public final class ToDeviceInbox {

    /** Messages per response (as Synapse); the rest come with the next one. */
    public static final int LIMIT = 100;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int MAX_ACKNOWLEDGED = 100_000;

    /** Devices whose to-device messages were deleted up to a position, by this process. */
    private record Device(String userId, String deviceId) {
    }

    private final ToDeviceRepository messages;
    private final StreamChangeCache changes;
    private final Cache<Device, Long> acknowledged = Caffeine.newBuilder().maximumSize(MAX_ACKNOWLEDGED).recordStats().build();

    ToDeviceInbox(ToDeviceRepository messages, Streams streams) {
        this.messages = messages;
        this.changes = streams.changes(StreamId.TO_DEVICE);
    }

    /**
     * Deletes the device's messages at or before {@code after} (the client has them) and returns
     * those in ({@code after}, {@code upTo}], at most {@code limit}, oldest first.
     */
    public List<ToDeviceRepository.Message> deliver(String userId, String deviceId, long after, long upTo, int limit) {
        Device device = new Device(userId, deviceId);
        if (after > 0) {
            Long deletedUpTo = acknowledged.getIfPresent(device);
            if (deletedUpTo == null || changes.lastChangeOrEarliest(userId) > deletedUpTo) {
                messages.acknowledge(userId, deviceId, after);
                acknowledged.asMap().merge(device, after, Math::max);
            }
        }
        if (upTo <= after || !changes.mayHaveChanged(userId, after)) {
            return List.of();
        }
        return messages.pending(userId, deviceId, after, upTo, limit);
    }

    /** The messages as the client receives them: sender, type and content. */
    public static List<ObjectNode> events(List<ToDeviceRepository.Message> messages) {
        List<ObjectNode> events = new ArrayList<>(messages.size());
        for (ToDeviceRepository.Message m : messages) {
            ObjectNode event = JSON.objectNode().put("sender", m.sender()).put("type", m.type());
            event.set("content", readObject(m.content()));
            events.add(event);
        }
        return events;
    }

    private static ObjectNode readObject(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("stored JSON is not an object", e);
        }
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("to_device_acknowledged", acknowledged);
    }
}
