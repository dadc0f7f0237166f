package org.myelin.server.client.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.HashMap;
import java.util.Map;

/**
 * Which membership events each device has been sent, per room, so that lazy-loading syncs can
 * leave out the redundant ones (client-server API, "Lazy-loading room members": the server MAY
 * assume clients remember them). Best effort and bounded: a forgotten entry only means a member
 * event is sent again, which the spec allows.
 */
final class LazyMembersCache {

    private static final int MAX_ROOMS = 20_000;

    private record Key(String userId, String deviceId, String roomId) {
    }

    /** Read by every lazy-loading sync: Caffeine reads take no lock (a synchronized map's did). */
    private final Cache<Key, Map<String, String>> sent = Caffeine.newBuilder().recordStats().maximumSize(MAX_ROOMS).build();

    /** Whether the device was sent {@code eventId} as the membership of {@code member}. */
    boolean wasSent(String userId, String deviceId, String roomId, String member, String eventId) {
        Map<String, String> room = sent.getIfPresent(new Key(userId, deviceId, roomId));
        return room != null && eventId.equals(room.get(member));
    }

    /** Records membership events sent to the device (member user id to event id). */
    void remember(String userId, String deviceId, String roomId, Map<String, String> members) {
        if (members.isEmpty()) {
            return;
        }
        // Copy on write: readers see a whole map, never one being filled.
        sent.asMap().compute(new Key(userId, deviceId, roomId), (k, room) -> {
            Map<String, String> updated = room == null ? new HashMap<>() : new HashMap<>(room);
            updated.putAll(members);
            return updated;
        });
    }

    /** Forgets what the device was sent for the room: it is about to receive the room afresh. */
    void reset(String userId, String deviceId, String roomId) {
        sent.invalidate(new Key(userId, deviceId, roomId));
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("lazy_loaded_members", sent);
    }
}
