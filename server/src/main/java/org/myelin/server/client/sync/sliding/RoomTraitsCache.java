package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.Pdu;
import org.myelin.server.streams.StreamChangeCache;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.storage.events.PersistedEvent;
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
 * without reading them. A room's entry is read once from the store and then kept current by the
 * event persister's commit listener ({@link #committed}), so a message in one of a user's rooms
 * costs the user's woken sliding syncs no query. An entry holds for timeline position
 * {@code asOf}, and while the room has had no event after it (the timeline's change cache says
 * so); one that fell behind is read again, with the others, in one query.
 */
final class RoomTraitsCache {

    private static final int MAX_ROOMS = 200_000;
    private static final String ENCRYPTION = "m.room.encryption";

    /**
     * A room as the commit listener last saw it.
     *
     * @param traits       as read, then kept current; null when never read
     * @param asOf         the timeline position the traits hold for
     * @param previousBump the bump stamp before the newest (a sync whose position is just before the
     *                     newest bump orders the room by it)
     * @param lastEvent    the position of the newest event the listener saw (the traits hold while
     *                     {@code asOf} is not before it)
     */
    private record Entry(RoomTraits traits, long asOf, long previousBump, long lastEvent) {
        boolean current() {
            return traits != null && asOf >= lastEvent;
        }
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
            if (e != null && e.current() && timelineChanges.lastChangeOrEarliest(roomId) <= e.asOf()) {
                found.put(roomId, e.traits());
            } else {
                stale.add(roomId);
            }
        }
        if (!stale.isEmpty()) {
            // Read after taking the position: the store holds at least every event up to it.
            long asOf = streams.position(StreamId.TIMELINE);
            queries.traits(stale).forEach((roomId, traits) -> {
                // Kept as current only when the listener has seen no event after the position (else
                // the read may have missed it, and the next one reads again).
                entries.asMap().merge(roomId, new Entry(traits, asOf, 0, asOf), (known, read) ->
                        known.current() && known.asOf() >= asOf ? known
                                : new Entry(traits, asOf, 0, Math.max(known.lastEvent(), asOf)));
                found.put(roomId, traits);
            });
        }
        return found;
    }

    /**
     * The room's bump stamp at or before timeline position {@code upTo}: the cached one, unless
     * events committed after {@code upTo} moved it (then the one before, or read), 0 for none.
     */
    long bumpStampAt(RoomTraits traits, long upTo) {
        if (traits.bumpStamp() <= upTo) {
            return traits.bumpStamp();
        }
        Entry e = entries.getIfPresent(traits.roomId());
        if (e != null && e.traits() != null && e.traits().bumpStamp() == traits.bumpStamp()
                && e.previousBump() > 0 && e.previousBump() <= upTo) {
            return e.previousBump();
        }
        return queries.bumpStampAtOrBefore(traits.roomId(), upTo).orElse(0);
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("sliding_room_traits", entries);
    }

    /**
     * The event persister's commit listener (events in stream order, before their positions are
     * announced): moves the bump stamp and the encryption of the rooms it knows, and notes the
     * newest event of the others (a read that started before it may have missed it).
     */
    void committed(List<PersistedEvent> batch) {
        for (PersistedEvent e : batch) {
            if (!e.visible() || e.streamOrdering() == null || e.streamOrdering() <= 0) {
                continue;
            }
            long position = e.streamOrdering();
            entries.asMap().compute(e.pdu().roomId(), (roomId, known) -> {
                if (known == null) {
                    return new Entry(null, 0, 0, position);
                }
                if (!known.current() || position <= known.lastEvent()) {
                    return new Entry(known.traits(), known.asOf(), known.previousBump(),
                            Math.max(known.lastEvent(), position));
                }
                RoomTraits t = known.traits();
                boolean bumps = SlidingSyncQueries.BUMP_TYPES.contains(e.pdu().type());
                RoomTraits now = new RoomTraits(roomId, bumps ? position : t.bumpStamp(), t.roomType(),
                        t.encrypted() || enablesEncryption(e.pdu()), t.known());
                return new Entry(now, position, bumps ? t.bumpStamp() : known.previousBump(), position);
            });
        }
    }

    /** An {@code m.room.encryption} state event with an algorithm, as the store's read counts it. */
    private static boolean enablesEncryption(Pdu pdu) {
        if (!pdu.isState() || !ENCRYPTION.equals(pdu.type()) || !"".equals(pdu.stateKey())) {
            return false;
        }
        JsonNode algorithm = pdu.content().get("algorithm");
        return algorithm != null && algorithm.isTextual();
    }
}
