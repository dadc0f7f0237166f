package org.myelin.server.client.sync;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.cache.StripedLru;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.streams.RecentTimeline;
import org.myelin.storage.sync.RoomSyncQueries;
import org.myelin.storage.sync.RoomSyncQueries.MemberSummary;

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
    private final StripedLru<Key, Known> known = new StripedLru<>(MAX_SUMMARIES);

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
            Known k = known.get(key);
            if (k != null && k.stateChangedAt() == room.get().stateChangedAt()) {
                return k.summary();
            }
        }
        MemberSummary members = queries.summary(roomId, userId, HEROES);
        Map<StateKey, String> state = room.map(RecentTimeline.Room::state).orElseGet(() -> states.stateAt(roomId, upTo));
        boolean named = hasText(state.get(StateKey.of("m.room.name", "")), "name")
                || hasText(state.get(StateKey.of("m.room.canonical_alias", "")), "alias");
        Summary summary = new Summary(members, named);
        room.ifPresent(r -> known.put(key, new Known(r.stateChangedAt(), summary)));
        return summary;
    }

    private boolean hasText(String eventId, String field) {
        Pdu event = eventId == null ? null : events.get(eventId);
        return event != null && !event.content().path(field).asText("").isEmpty();
    }
}
