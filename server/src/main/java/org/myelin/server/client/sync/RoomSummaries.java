package org.myelin.server.client.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.streams.RecentTimeline;
import org.myelin.storage.sync.RoomSyncQueries;
import org.myelin.storage.sync.RoomSyncQueries.MemberSummary;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A room's members as a user's sync summarises them (client-server API, "Syncing", room summary):
 * joined and invited counts and up to {@value #HEROES} heroes, and whether the room has a name or
 * canonical alias of its own. Both come from the room's state, so a summary is read again only
 * once that changed; /sync's {@code summary} and sliding sync's counts and heroes share it.
 */
public final class RoomSummaries {

    /** How many heroes a summary names (spec: "the first 5 members"). */
    public static final int HEROES = 5;
    private static final int MAX_SUMMARIES = 100_000;

    /**
     * A room's summary for a user.
     *
     * @param named whether the room has a non-empty {@code m.room.name} or {@code m.room.canonical_alias}
     */
    public record Summary(MemberSummary members, boolean named) {
    }

    private record Key(String roomId, String userId) {
    }

    /** A summary, good while the room's state is still the one of {@code stateChangedAt}. */
    private record Known(long stateChangedAt, Summary summary) {
    }

    private final RoomSyncQueries queries;
    private final StateSections states;
    private final EventCache events;
    private final RecentTimeline recent;
    private final Cache<Key, Known> known = Caffeine.newBuilder().maximumSize(MAX_SUMMARIES).recordStats().build();

    RoomSummaries(RoomSyncQueries queries, StateSections states, EventCache events, RecentTimeline recent) {
        this.queries = queries;
        this.states = states;
        this.events = events;
        this.recent = recent;
    }

    /** The summary of {@code roomId} for {@code userId} as of timeline position {@code upTo}. */
    public Summary of(String userId, String roomId, long upTo) {
        Optional<RecentTimeline.Room> room = recent.room(roomId)
                .filter(r -> r.state() != null && r.stateChangedAt() <= upTo);
        Key key = new Key(roomId, userId);
        if (room.isPresent()) {
            Known k = known.getIfPresent(key);
            if (k != null && k.stateChangedAt() == room.get().stateChangedAt()) {
                return k.summary();
            }
        }
        MemberSummary members = queries.summary(roomId, userId, HEROES);
        Map<StateKey, String> state = room.map(RecentTimeline.Room::state).orElseGet(() -> states.stateAt(roomId, upTo));
        Summary summary = new Summary(members, named(state));
        room.ifPresent(r -> known.put(key, new Known(r.stateChangedAt(), summary)));
        return summary;
    }

    /**
     * About to ask for the summaries of {@code roomIds} (an initial sync): reads those of the rooms
     * whose state is in memory and not summarised yet in one statement, not one a room.
     */
    void prepare(String userId, Collection<String> roomIds, long upTo) {
        Map<String, RecentTimeline.Room> unknown = new HashMap<>();
        for (String roomId : roomIds) {
            recent.room(roomId).filter(r -> r.state() != null && r.stateChangedAt() <= upTo).ifPresent(room -> {
                Known k = known.asMap().get(new Key(roomId, userId)); // a look ahead: no hit or miss
                if (k == null || k.stateChangedAt() != room.stateChangedAt()) {
                    unknown.put(roomId, room);
                }
            });
        }
        if (unknown.size() <= 1) {
            return;
        }
        queries.summaries(unknown.keySet(), userId, HEROES).forEach((roomId, members) -> {
            RecentTimeline.Room room = unknown.get(roomId);
            known.put(new Key(roomId, userId), new Known(room.stateChangedAt(), new Summary(members, named(room.state()))));
        });
    }

    private boolean named(Map<StateKey, String> state) {
        return hasText(state.get(StateKey.of("m.room.name", "")), "name")
                || hasText(state.get(StateKey.of("m.room.canonical_alias", "")), "alias");
    }

    private boolean hasText(String eventId, String field) {
        Pdu event = eventId == null ? null : events.get(eventId);
        return event != null && !event.content().path(field).asText("").isEmpty();
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("room_summaries", known);
    }
}
