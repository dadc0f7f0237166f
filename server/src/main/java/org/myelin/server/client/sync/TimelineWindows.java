package org.myelin.server.client.sync;

import org.myelin.protocol.event.StateKey;
import org.myelin.server.client.rooms.EventVisibility;
import org.myelin.server.client.sync.filter.RoomEventFilter;
import org.myelin.server.streams.RecentTimeline;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineFilter;
import org.myelin.storage.events.TimelineRepository;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The timeline part of a room in /sync: the newest events of a stream range that pass the
 * timeline filter and that the user may see (history visibility), at most the filter's limit.
 * When more would have fitted the range, the window is {@code limited}: the client has a gap it
 * can fill with {@code /messages} from {@code prev_batch}.
 */
public final class TimelineWindows {

    /** The limit when the filter sets none (as Synapse). */
    static final int DEFAULT_LIMIT = 10;
    /** The largest window /sync returns, whatever the filter asks. */
    static final int MAX_LIMIT = 1000;
    /** Pages read backwards before giving up on filling the window (the rest is a gap). */
    private static final int MAX_PAGES = 5;

    /**
     * A window of a room's timeline.
     *
     * @param events  oldest first
     * @param limited whether events of the range were left out
     */
    public record Window(List<StoredEvent> events, boolean limited) {
        public boolean isEmpty() {
            return events.isEmpty();
        }

        /** The position just before the window's first event; {@code fallback} for an empty window. */
        public long prevBatchPosition(long fallback) {
            return events.isEmpty() ? fallback : events.getFirst().streamOrdering() - 1;
        }
    }

    private final TimelineRepository timeline;
    private final EventVisibility visibility;
    private final RecentTimeline recent;

    TimelineWindows(TimelineRepository timeline, EventVisibility visibility, RecentTimeline recent) {
        this.timeline = timeline;
        this.visibility = visibility;
        this.recent = recent;
    }

    /**
     * The window of {@code roomId} for {@code userId} over the range's positions ({@code after},
     * {@code upTo}]; {@code after} null for the whole history up to {@code upTo}; {@code joined}
     * when the user is joined to the room at the end of the range. Pages come from the room's
     * {@link RecentTimeline} where it holds them, from the store otherwise: the same pages. An
     * initial sync reads memory too where a full page of recent events is there.
     */
    Window load(String userId, String roomId, RoomBuilder.Range range, RoomEventFilter filter, boolean joined) {
        return load(userId, roomId, range.after(), range.upTo(), filter, joined);
    }

    /** As {@link #load(String, String, RoomBuilder.Range, RoomEventFilter, boolean)}, for sliding sync. */
    public Window load(String userId, String roomId, Long after, long upTo, RoomEventFilter filter, boolean joined) {
        int limit = Math.min(filter.limitOr(DEFAULT_LIMIT), MAX_LIMIT);
        TimelineFilter sqlFilter = new TimelineFilter(filter.types(), filter.notTypes(), filter.senders(),
                filter.notSenders());
        int pageSize = Math.max(limit + 1, DEFAULT_LIMIT);
        // A window over the whole history (a room's first one) is answered from memory too when the
        // room's recent events fill it. Not "after 0": a room joined over federation has its history
        // at negative (backfilled) positions. The visibility of events from memory is judged by the
        // states after them kept beside them, where the store would load one state per event.
        Optional<RecentTimeline.Room> known = recent.room(roomId);
        long lowerBound = after == null ? Long.MIN_VALUE : after;
        Map<String, Map<StateKey, String>> statesAfter = known.map(RecentTimeline.Room::statesAfter).orElse(Map.of());
        List<StoredEvent> newestFirst = new ArrayList<>();
        long cursor = upTo;
        boolean exhausted = false;
        for (int page = 0; page < MAX_PAGES && newestFirst.size() <= limit; page++) {
            long from = cursor;
            List<StoredEvent> batch = known.flatMap(room -> room.page(from, lowerBound, pageSize, sqlFilter))
                    .orElseGet(() -> timeline.page(roomId, from, after, pageSize, true, sqlFilter));
            List<StoredEvent> passing = batch.stream().filter(e -> filter.allows(e.pdu())).toList();
            newestFirst.addAll(visibility.filter(userId, passing, statesAfter, joined));
            if (batch.size() < pageSize) {
                exhausted = true;
                break;
            }
            cursor = batch.getLast().streamOrdering() - 1;
        }
        boolean limited = newestFirst.size() > limit || !exhausted;
        List<StoredEvent> window = new ArrayList<>(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
        Collections.reverse(window);
        return new Window(window, limited);
    }
}
