package org.myelin.server.client.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.server.streams.StreamChangeCache;
import org.myelin.storage.sync.MembershipHistory;
import org.myelin.storage.sync.MembershipHistory.MembershipEvent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Each user's latest membership event per room ({@link MembershipHistory#latestPerRoom}), kept in
 * memory while the user's memberships do not change: the timeline's change cache records every
 * membership event under its user, so a sync knows without a query that the rooms it sorts are
 * the ones of the previous sync.
 */
public final class UserMemberships {

    private static final int MAX_USERS = 50_000;

    /**
     * A user's latest membership events as of timeline position {@code position}, and the keys a
     * waiting sync of the user listens on, made once per membership change rather than per wake.
     */
    private record Known(long position, Map<String, MembershipEvent> byRoom, List<String> wakeKeys) {
        Known(long position, Map<String, MembershipEvent> byRoom, String userId) {
            this(position, byRoom, keysOf(userId, byRoom));
        }
    }

    private final MembershipHistory history;
    private final StreamChangeCache timelineChanges;
    private final Cache<String, Known> known = Caffeine.newBuilder().maximumSize(MAX_USERS).recordStats().build();

    UserMemberships(MembershipHistory history, StreamChangeCache timelineChanges) {
        this.history = history;
        this.timelineChanges = timelineChanges;
    }

    /** Per room, the user's latest membership event at or before {@code upTo}. */
    public Map<String, MembershipEvent> latestPerRoom(String userId, long upTo) {
        long lastChange = timelineChanges.lastChangeOrEarliest(userId);
        Known k = known.getIfPresent(userId);
        if (k != null && lastChange <= Math.min(k.position(), upTo)) {
            return k.byRoom();
        }
        return load(userId, upTo, lastChange).byRoom();
    }

    /** The user and the rooms the user is joined to at {@code upTo}: what a waiting /sync of the user listens on. */
    public List<String> wakeKeys(String userId, long upTo) {
        long lastChange = timelineChanges.lastChangeOrEarliest(userId);
        Known k = known.getIfPresent(userId);
        if (k != null && lastChange <= Math.min(k.position(), upTo)) {
            return k.wakeKeys();
        }
        return load(userId, upTo, lastChange).wakeKeys();
    }

    private Known load(String userId, long upTo, long lastChange) {
        Known loaded = new Known(upTo, Collections.unmodifiableMap(history.latestPerRoom(userId, upTo)), userId);
        if (lastChange <= upTo) {
            known.put(userId, loaded);
        }
        return loaded;
    }

    private static List<String> keysOf(String userId, Map<String, MembershipEvent> byRoom) {
        List<String> keys = new ArrayList<>(byRoom.size() + 1);
        keys.add(userId);
        for (MembershipEvent m : byRoom.values()) {
            if (m.membership().equals("join")) {
                keys.add(m.roomId());
            }
        }
        return List.copyOf(keys);
    }

    /** Whether the user's memberships certainly did not change after {@code since}. */
    boolean unchangedSince(String userId, long since) {
        return timelineChanges.lastChangeOrEarliest(userId) <= since;
    }

    /** The user's membership events in ({@code after}, {@code upTo}], in order. */
    public List<MembershipEvent> between(String userId, long after, long upTo) {
        return unchangedSince(userId, after) ? List.of() : history.between(userId, after, upTo);
    }

    /** Whether the user was joined to {@code roomId} at any position at or before {@code upTo}. */
    boolean everJoined(String userId, String roomId, long upTo) {
        return history.everJoined(userId, roomId, upTo);
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("user_memberships", known);
    }
}
