package org.myelin.server.client.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.server.streams.StreamChangeCache;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.storage.sync.MembershipHistory.MembershipEvent;
import org.myelin.storage.sync.RoomSyncQueries;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whom each user shares a joined room with (whose presence they see), kept in memory while no
 * membership of the user's rooms changes: {@code memberRooms} records every room whose
 * membership changed on the timeline, and the user's own memberships are known to
 * {@link UserMemberships}. A presence change wakes the syncs of everyone sharing a room with the
 * user; when a thousand users came online together, each of the syncs that woke asked the store
 * again, and the long polls queued for its connections until some failed.
 */
final class SharedRooms {

    /** User ids held over all entries: a user in thousands of big rooms shares them with many. */
    private static final int USER_IDS_REMEMBERED = 500_000;

    /** The users sharing a room with a user, as of timeline position {@code asOf}. */
    private record Known(long asOf, Set<String> users) {
    }

    private final RoomSyncQueries queries;
    private final UserMemberships memberships;
    private final StreamChangeCache memberRooms;
    private final Streams streams;
    private final Cache<String, Known> known = Caffeine.newBuilder()
            .maximumWeight(USER_IDS_REMEMBERED)
            .weigher((String userId, Known k) -> 1 + k.users().size())
            .recordStats()
            .build();

    SharedRooms(RoomSyncQueries queries, UserMemberships memberships, StreamChangeCache memberRooms, Streams streams) {
        this.queries = queries;
        this.memberships = memberships;
        this.memberRooms = memberRooms;
        this.streams = streams;
    }

    /** Everyone who shares a joined room with {@code userId}, the user included. */
    Set<String> usersSharingARoomWith(String userId) {
        Known k = known.getIfPresent(userId);
        if (k != null && unchangedSince(userId, k.asOf())) {
            return k.users();
        }
        // Taken before the read: a membership change after it is seen next time.
        long asOf = streams.position(StreamId.TIMELINE);
        Set<String> users = Set.copyOf(queries.usersSharingARoomWith(userId));
        known.put(userId, new Known(asOf, users));
        return users;
    }

    /** This part's cache by name, for its size and hit rate in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("shared_rooms", known);
    }

    /** Whether neither the user's memberships nor those of the user's rooms changed after {@code since}. */
    private boolean unchangedSince(String userId, long since) {
        if (!memberships.unchangedSince(userId, since)) {
            return false;
        }
        if (memberRooms.nothingChangedSince(since)) {
            return true;
        }
        List<String> joined = new ArrayList<>();
        for (MembershipEvent m : memberships.latestPerRoom(userId, streams.position(StreamId.TIMELINE)).values()) {
            if (m.membership().equals("join")) {
                joined.add(m.roomId());
            }
        }
        return memberRooms.changedSince(joined, since).map(Set::isEmpty).orElse(false);
    }
}
