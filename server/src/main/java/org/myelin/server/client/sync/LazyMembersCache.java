package org.myelin.server.client.sync;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    private final Map<Key, Map<String, String>> sent = Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Key, Map<String, String>> eldest) {
                    return size() > MAX_ROOMS;
                }
            });

    /** Whether the device was sent {@code eventId} as the membership of {@code member}. */
    boolean wasSent(String userId, String deviceId, String roomId, String member, String eventId) {
        Map<String, String> room = sent.get(new Key(userId, deviceId, roomId));
        return room != null && eventId.equals(room.get(member));
    }

    /** Records membership events sent to the device (member user id to event id). */
    void remember(String userId, String deviceId, String roomId, Map<String, String> members) {
        if (members.isEmpty()) {
            return;
        }
        sent.compute(new Key(userId, deviceId, roomId), (k, room) -> {
            Map<String, String> updated = room == null ? new HashMap<>() : new HashMap<>(room);
            updated.putAll(members);
            return updated;
        });
    }

    /** Forgets what the device was sent for the room: it is about to receive the room afresh. */
    void reset(String userId, String deviceId, String roomId) {
        sent.remove(new Key(userId, deviceId, roomId));
    }
}
