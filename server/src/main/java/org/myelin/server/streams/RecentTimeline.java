package org.myelin.server.streams;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import org.myelin.protocol.event.StateKey;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineFilter;
import org.myelin.storage.state.StateSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The newest events of each room, each with the state after it, and the position where the
 * room's state last changed: kept in memory by the event persister's commit listener, so that an
 * incremental /sync reads what just happened in a room without asking the database.
 *
 * <p>A room's entry holds every visible timeline event (not soft-failed, not rejected, with a
 * positive stream ordering: what {@code TimelineRepository.page} returns) after
 * {@link Room#coveredAfter()}, up to {@value #EVENTS_PER_ROOM} of them, newest last; at most
 * {@value #MAX_EVENTS} events over all rooms, the rooms read least often and least recently
 * forgotten first (a bounded Caffeine cache weighing each room by its events). A forgotten room's
 * last state snapshot is kept apart, so that when its next event leaves the state as it was, the
 * room still knows since when its state has not changed (a woken sync then computes no state
 * delta from the store). Readers ask
 * for what the entry can answer exactly and read the database for the rest. Events are recorded
 * before the timeline position that covers them is announced, so a reader sees every event up to
 * its token.
 *
 * <p>The state after an event is what {@code stateAt} of /sync reads (the state after the room's
 * last visible event at a position); it "changes" at an event whose state after is another
 * snapshot than its predecessor's. While it has not changed since a client's previous sync, that
 * sync's state delta is empty and the state is known without a query.
 */
public final class RecentTimeline {

    static final int EVENTS_PER_ROOM = 64;
    /** Events kept over all rooms; the rooms used least recently go first. */
    static final int MAX_EVENTS = 20_000;
    /** Forgotten rooms whose last state is kept (their snapshot id: about 100 bytes each). */
    static final int MARKS_KEPT = 200_000;

    /** A visible event and the state after it (null when that was no longer in memory). */
    public record Entry(StoredEvent event, Map<StateKey, String> stateAfter) {
        long position() {
            return event.streamOrdering();
        }
    }

    /**
     * What this process knows of a room's recent timeline.
     *
     * @param events         oldest first: every visible event of the room after {@code coveredAfter}
     * @param coveredAfter   the position after which {@code events} is complete
     * @param stateChangedAt the position of the last event whose state after differs from the one
     *                       before it (or, unknown, the first event seen)
     * @param snapshot       the state after the last event, as stored (null when unknown)
     * @param state          its contents (null when unknown)
     */
    public record Room(List<Entry> events, long coveredAfter, long stateChangedAt, StateSnapshot snapshot,
                       Map<StateKey, String> state) {

        /**
         * Up to {@code limit} events with positions in ({@code after}, {@code upTo}] matching
         * {@code filter}, newest first, as {@code TimelineRepository.page(roomId, upTo, after,
         * limit, true, filter)} returns them; empty when this entry cannot tell.
         */
        public Optional<List<StoredEvent>> page(long upTo, long after, int limit, TimelineFilter filter) {
            List<StoredEvent> page = new ArrayList<>();
            for (int i = events.size() - 1; i >= 0; i--) {
                Entry e = events.get(i);
                if (e.position() > upTo) {
                    continue;
                }
                if (e.position() <= after) {
                    return Optional.of(page);
                }
                if (filter.matches(e.event().pdu().type(), e.event().pdu().sender())) {
                    page.add(e.event());
                    if (page.size() >= limit) {
                        return Optional.of(page);
                    }
                }
            }
            return after >= coveredAfter ? Optional.of(page) : Optional.empty();
        }

        /** Every visible event in ({@code after}, {@code upTo}], oldest first; empty when this entry cannot tell. */
        public Optional<List<StoredEvent>> between(long after, long upTo) {
            if (after < coveredAfter) {
                return Optional.empty();
            }
            List<StoredEvent> found = new ArrayList<>();
            for (Entry e : events) {
                if (e.position() > after && e.position() <= upTo) {
                    found.add(e.event());
                }
            }
            return Optional.of(found);
        }

        /**
         * The room's state at every position from {@code since} on (up to the newest event known),
         * when it did not change after {@code since}; empty otherwise or when unknown.
         */
        public Optional<Map<StateKey, String>> stateUnchangedSince(long since) {
            return state != null && stateChangedAt <= since ? Optional.of(state) : Optional.empty();
        }

        /**
         * The state after each of the entry's events that has it remembered, by event id: a view
         * that searches the events newest first. Each woken /sync asks for the one or two events
         * it was woken for, so copying all of the room's events into a map each time cost more
         * than the look-ups it served.
         */
        public Map<String, Map<StateKey, String>> statesAfter() {
            return new java.util.AbstractMap<>() {
                @Override
                public Map<StateKey, String> get(Object eventId) {
                    for (int i = events.size() - 1; i >= 0; i--) {
                        RecentTimeline.Entry e = events.get(i);
                        if (e.event().eventId().equals(eventId)) {
                            return e.stateAfter();
                        }
                    }
                    return null;
                }

                @Override
                public boolean containsKey(Object eventId) {
                    return get(eventId) != null;
                }

                @Override
                public java.util.Set<Map.Entry<String, Map<StateKey, String>>> entrySet() {
                    Map<String, Map<StateKey, String>> states = new java.util.LinkedHashMap<>();
                    for (RecentTimeline.Entry e : events) {
                        if (e.stateAfter() != null) {
                            states.put(e.event().eventId(), e.stateAfter());
                        }
                    }
                    return java.util.Collections.unmodifiableSet(states.entrySet());
                }
            };
        }

        Room with(Entry entry, long stateChangedAt, StateSnapshot snapshot, Map<StateKey, String> state) {
            List<Entry> kept = new ArrayList<>(Math.min(events.size() + 1, EVENTS_PER_ROOM));
            long covered = coveredAfter;
            int drop = Math.max(0, events.size() + 1 - EVENTS_PER_ROOM);
            for (int i = 0; i < events.size(); i++) {
                if (i < drop) {
                    covered = events.get(i).position();
                } else {
                    kept.add(events.get(i));
                }
            }
            kept.add(entry);
            return new Room(List.copyOf(kept), covered, stateChangedAt, snapshot, state);
        }
    }

    /** A forgotten room's state: its last snapshot and the position where its state last changed. */
    private record StateMark(long snapshotId, long stateChangedAt) {
    }

    private final StreamChangeCache timelineChanges;
    /** Rooms evicted to stay within the bound, by room id (not those forgotten on purpose). */
    private final Cache<String, StateMark> forgottenStates = Caffeine.newBuilder().maximumSize(MARKS_KEPT).recordStats()
            .build();
    /**
     * By room, bounded by the events held. Written only by the commit listener's thread; read by
     * every /sync, without a lock. Evictions run on the thread that causes them, so a room's mark
     * is kept before its next event can look for it.
     */
    private final Cache<String, Room> rooms;

    /**
     * @param timelineChanges the timeline stream's change cache, which knows where each room last
     *                        had an event before this one saw it
     */
    public RecentTimeline(StreamChangeCache timelineChanges) {
        this(timelineChanges, MAX_EVENTS);
    }

    /** With a bound of {@code maxEvents} events over all rooms. */
    RecentTimeline(StreamChangeCache timelineChanges, int maxEvents) {
        this.timelineChanges = timelineChanges;
        this.rooms = Caffeine.newBuilder()
                .maximumWeight(maxEvents)
                .weigher((String roomId, Room room) -> Math.max(1, room.events().size()))
                .executor(Runnable::run)
                .evictionListener((String roomId, Room gone, RemovalCause cause) -> {
                    if (roomId != null && gone != null && gone.snapshot() != null && gone.snapshot().isWritten()) {
                        forgottenStates.put(roomId, new StateMark(gone.snapshot().id(), gone.stateChangedAt()));
                    }
                })
                .recordStats()
                .build();
    }

    /** What is known of {@code roomId}'s recent timeline, if anything. */
    public Optional<Room> room(String roomId) {
        return Optional.ofNullable(rooms.getIfPresent(roomId));
    }

    /** Forgets {@code roomId}: readers go to the store until its next event. */
    public void forget(String roomId) {
        rooms.invalidate(roomId);
        forgottenStates.invalidate(roomId);
    }

    /**
     * Records a visible event just committed, in stream order, before its position is recorded
     * in the timeline's change cache and announced.
     *
     * @param snapshot the stored state after it, and {@code state} its contents; null when unknown
     */
    public void committed(StoredEvent event, StateSnapshot snapshot, Map<StateKey, String> state) {
        String roomId = event.pdu().roomId();
        long position = event.streamOrdering();
        Room room = rooms.asMap().get(roomId); // the writer's own read: no hit or miss
        if (room == null) {
            // No event of the room between its last known change and this one; none at all before
            // its m.room.create, so a room seen from its creation is held from the very beginning
            // (a room joined over federation has its earlier history at backfilled positions).
            boolean creation = "m.room.create".equals(event.pdu().type()) && "".equals(event.pdu().stateKey());
            long covered = creation ? Long.MIN_VALUE : Math.min(position - 1, timelineChanges.lastChangeOrEarliest(roomId));
            // Forgotten with the state it had before this event: if the event leaves it so, it has
            // not changed since then (every visible event of the room passes here).
            StateMark mark = forgottenStates.asMap().remove(roomId);
            boolean unchanged = mark != null && snapshot != null && snapshot.isWritten()
                    && snapshot.id() == mark.snapshotId();
            room = new Room(List.of(), covered, unchanged ? mark.stateChangedAt() : position, unchanged ? snapshot : null,
                    null);
        } else if (!room.events().isEmpty() && room.events().getLast().position() >= position) {
            return;
        }
        boolean sameState = snapshot != null && snapshot.isSameAs(room.snapshot());
        long changedAt = sameState ? room.stateChangedAt() : position;
        rooms.put(roomId, room.with(new Entry(event, state), changedAt, snapshot, state));
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("recent_timelines", rooms, "recent_timeline_state_marks", forgottenStates);
    }
}
