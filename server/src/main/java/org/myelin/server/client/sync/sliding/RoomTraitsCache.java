package org.myelin.server.client.sync.sliding;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.server.streams.StreamChangeCache;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.storage.sync.SlidingSyncQueries;
import org.myelin.storage.sync.SlidingSyncQueries.RoomTraits;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each room's bump stamp, type and encryption ({@link RoomTraits}), which order and filter every
 * list of every user in it: kept in memory, so that a list over thousands of rooms is sorted
 * without reading them. An entry read at timeline position P stays good while the room has had
 * no event after P (the timeline's change cache says so); a room with newer events is read again,
 * with the others that changed, in one query. So a window costs what changed, not what the user
 * is in.
 */
final class RoomTraitsCache {

    private static final int MAX_ROOMS = 200_000;

    /** Traits as read when the timeline stood at {@code asOf}. */
    private record Entry(RoomTraits traits, long asOf) {
    }

    private final SlidingSyncQueries queries;
    private final Streams streams;
    private final StreamChangeCache timelineChanges;
    private final Cache<String, Entry> entries = Caffeine.newBuilder().recordStats().maximumSize(MAX_ROOMS).build();

    RoomTraitsCache(SlidingSyncQueries queries, Streams streams) {
        this.queries = queries;
        this.streams = streams;
        this.timelineChanges = streams.changes(StreamId.TIMELINE);
    }

    /** The traits of {@code roomIds}, by room id. */
    Map<String, RoomTraits> of(Collection<String> roomIds) {
        Map<String, RoomTraits> found = new HashMap<>(roomIds.size() * 2);
        List<String> stale = new ArrayList<>();
        for (String roomId : roomIds) {
            Entry e = entries.getIfPresent(roomId);
            if (e != null && timelineChanges.lastChangeOrEarliest(roomId) <= e.asOf()) {
                found.put(roomId, e.traits());
            } else {
                stale.add(roomId);
            }
        }
        if (!stale.isEmpty()) {
            // Read after taking the position: the store holds at least every event up to it.
            long asOf = streams.position(StreamId.TIMELINE);
            queries.traits(stale).forEach((roomId, traits) -> {
                entries.put(roomId, new Entry(traits, asOf));
                found.put(roomId, traits);
            });
        }
        return found;
    }

    /**
     * The room's bump stamp at or before timeline position {@code upTo}: the cached one, unless
     * an event committed after {@code upTo} moved it (then read), 0 for none.
     */
    long bumpStampAt(RoomTraits traits, long upTo) {
        if (traits.bumpStamp() <= upTo) {
            return traits.bumpStamp();
        }
        return queries.bumpStampAtOrBefore(traits.roomId(), upTo).orElse(0);
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("sliding_room_traits", entries);
    }
}
