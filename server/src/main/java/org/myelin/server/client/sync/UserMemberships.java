package org.myelin.server.client.sync;

import org.myelin.server.streams.StreamChangeCache;
import org.myelin.storage.sync.MembershipHistory;
import org.myelin.storage.sync.MembershipHistory.MembershipEvent;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each user's latest membership event per room ({@link MembershipHistory#latestPerRoom}), kept in
 * memory while the user's memberships do not change: the timeline's change cache records every
 * membership event under its user, so a sync knows without a query that the rooms it sorts are
 * the ones of the previous sync.
 */
final class UserMemberships {

    private static final int MAX_USERS = 50_000;

    /** A user's latest membership events as of timeline position {@code position}. */
    private record Known(long position, Map<String, MembershipEvent> byRoom) {
    }

    private final MembershipHistory history;
    private final StreamChangeCache timelineChanges;
    private final Map<String, Known> known = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
            return size() > MAX_USERS;
        }
    });

    UserMemberships(MembershipHistory history, StreamChangeCache timelineChanges) {
        this.history = history;
        this.timelineChanges = timelineChanges;
    }

    /** Per room, the user's latest membership event at or before {@code upTo}. */
    Map<String, MembershipEvent> latestPerRoom(String userId, long upTo) {
        long lastChange = timelineChanges.lastChangeOrEarliest(userId);
        Known k = known.get(userId);
        if (k != null && lastChange <= Math.min(k.position(), upTo)) {
            return k.byRoom();
        }
        Map<String, MembershipEvent> loaded = Collections.unmodifiableMap(history.latestPerRoom(userId, upTo));
        if (lastChange <= upTo) {
            known.put(userId, new Known(upTo, loaded));
        }
        return loaded;
    }

    /** Whether the user's memberships certainly did not change after {@code since}. */
    boolean unchangedSince(String userId, long since) {
        return timelineChanges.lastChangeOrEarliest(userId) <= since;
    }

    /** The user's membership events in ({@code after}, {@code upTo}], in order. */
    List<MembershipEvent> between(String userId, long after, long upTo) {
        return unchangedSince(userId, after) ? List.of() : history.between(userId, after, upTo);
    }

    /** Whether the user was joined to {@code roomId} at any position at or before {@code upTo}. */
    boolean everJoined(String userId, String roomId, long upTo) {
        return history.everJoined(userId, roomId, upTo);
    }
}
