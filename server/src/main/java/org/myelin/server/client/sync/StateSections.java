package org.myelin.server.client.sync;

import com.github.benmanes.caffeine.cache.Cache;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.sync.filter.RoomEventFilter;
import org.myelin.server.streams.RecentTimeline;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineRepository;
import org.myelin.storage.state.StateSnapshotRepository;
import org.myelin.storage.sync.RoomSyncQueries;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code state} part of a room in /sync (client-server API, "Syncing"): the room's state at
 * the start of the timeline window, in full (initial sync, {@code full_state}, a newly joined
 * room) or as the delta from what the client had at the previous sync. As Synapse computes it,
 * the delta is every state entry at the start or at the end of the window that the client did
 * not have, minus what the timeline itself carries; so changes made in a gap, and changes that
 * state resolution made without an event in the window, reach the client too.
 *
 * <p>With {@code lazy_load_members} in the state filter only these membership events are sent:
 * those of the timeline's senders, of the room's heroes and (in full) the user's own; membership
 * changes in a gap always; and, unless {@code include_redundant_members}, none the device already
 * has ({@link LazyMembersCache}).
 *
 * <p>With {@code use_state_after} (spec v1.16) the section is the state at the end of the window
 * instead, the timeline's state events included, and clients take state from it alone.
 */
public final class StateSections {

    /**
     * What to compute a room's state section for.
     *
     * @param since  the timeline position of the previous sync, or null for the full state
     * @param upTo   the end of the window's range
     * @param heroes users whose membership a lazy-loading client needs for the summary
     * @param atEnd  {@code use_state_after}: the state at the end of the window rather than its start
     */
    record Request(String userId, String deviceId, String roomId, List<StoredEvent> timeline, Long since, long upTo,
                   RoomEventFilter filter, Collection<String> heroes, boolean atEnd) {
    }

    private final RoomSyncQueries queries;
    private final TimelineRepository timeline;
    private final StateSnapshotRepository snapshots;
    private final EventCache events;
    private final RecentTimeline recent;
    private final LazyMembersCache lazyMembers = new LazyMembersCache();

    /** Where the sections read from. */
    record Parts(RoomSyncQueries queries, TimelineRepository timeline, StateSnapshotRepository snapshots,
                 EventCache events, RecentTimeline recent) {
    }

    StateSections(Parts parts) {
        this.queries = parts.queries();
        this.timeline = parts.timeline();
        this.snapshots = parts.snapshots();
        this.events = parts.events();
        this.recent = parts.recent();
    }

    /** The room's state at timeline position {@code position}: after its last event at or before it. */
    public Map<StateKey, String> stateAt(String roomId, long position) {
        return queries.lastEventAtOrBefore(roomId, position)
                .map(e -> snapshots.load(e.stateAfterSnapshot()))
                .orElse(Map.of());
    }

    /**
     * The room's state throughout the positions from {@code since} on, when the
     * {@link RecentTimeline} knows it did not change after {@code since}: then the state at the
     * previous sync, before the window and at its end are all this one.
     */
    public Optional<Map<StateKey, String>> unchangedSince(String roomId, long since) {
        return recent.room(roomId).flatMap(room -> room.stateUnchangedSince(since));
    }

    /** The state events of the section, ordered by type and state key. */
    List<Pdu> section(Request r) {
        Set<String> inTimeline = new HashSet<>();
        if (!r.atEnd()) {
            r.timeline().forEach(e -> inTimeline.add(e.eventId()));
        }
        // Without a state event in the window and no change since the previous sync, the start,
        // the end and the previous sync's state are one state: the delta is empty, no query needed.
        Optional<Map<StateKey, String>> unchanged = r.since() == null
                || r.timeline().stream().anyMatch(e -> e.pdu().isState())
                ? Optional.empty() : unchangedSince(r.roomId(), r.since());
        Map<StateKey, String> end = r.atEnd() || r.since() != null
                ? unchanged.orElseGet(() -> stateAt(r.roomId(), r.upTo())) : Map.of();
        Map<StateKey, String> base = r.atEnd() ? end
                : unchanged.isPresent() ? unchanged.get()
                : r.timeline().isEmpty() ? stateAt(r.roomId(), r.upTo()) : stateBeforeWindow(r);
        boolean lazy = r.filter().lazyLoadsMembers();
        Map<StateKey, String> chosen = new HashMap<>();
        if (r.since() == null) {
            base.forEach((key, id) -> {
                if (!inTimeline.contains(id)) {
                    chosen.put(key, id);
                }
            });
            if (lazy) {
                lazyMembers.reset(r.userId(), r.deviceId(), r.roomId());
                Set<String> wanted = wantedMembers(r);
                wanted.add(r.userId());
                chosen.keySet().removeIf(key -> key.type().equals(StateKey.MEMBER) && !wanted.contains(key.stateKey()));
            }
        } else {
            if (unchanged.isEmpty()) {
                // Else the start, the end and the previous sync's state are one map and the delta is
                // empty: most woken syncs (a message, no state event) skip walking the whole state.
                Map<StateKey, String> previous = stateAt(r.roomId(), r.since());
                chosen.putAll(r.atEnd() ? changed(end, previous) : delta(base, end, previous, inTimeline));
            }
            if (lazy) {
                for (String member : wantedMembers(r)) {
                    StateKey key = StateKey.member(member);
                    String id = base.get(key);
                    if (id != null && !inTimeline.contains(id) && !chosen.containsKey(key)
                            && (r.filter().includesRedundantMembers()
                            || !lazyMembers.wasSent(r.userId(), r.deviceId(), r.roomId(), member, id))) {
                        chosen.put(key, id);
                    }
                }
            }
        }
        List<Pdu> section = load(chosen.values(), r.filter());
        if (lazy) {
            rememberMembers(r, section);
        }
        return section;
    }

    /** The entries of {@code now} that differ from {@code previous}. */
    private static Map<StateKey, String> changed(Map<StateKey, String> now, Map<StateKey, String> previous) {
        Map<StateKey, String> changed = new HashMap<>();
        now.forEach((key, id) -> {
            if (!id.equals(previous.get(key))) {
                changed.put(key, id);
            }
        });
        return changed;
    }

    /**
     * The entries at the start or end of the window that differ from the previous sync's state and
     * are not in the timeline; the start's wins when both changed.
     */
    private static Map<StateKey, String> delta(Map<StateKey, String> start, Map<StateKey, String> end,
                                               Map<StateKey, String> previous, Set<String> inTimeline) {
        Map<StateKey, String> delta = new HashMap<>();
        Set<StateKey> keys = new LinkedHashSet<>(start.keySet());
        keys.addAll(end.keySet());
        for (StateKey key : keys) {
            String had = previous.get(key);
            String atStart = start.get(key);
            String atEnd = end.get(key);
            if (atStart != null && !atStart.equals(had) && !inTimeline.contains(atStart)) {
                delta.put(key, atStart);
            } else if (atEnd != null && !atEnd.equals(had) && !atEnd.equals(atStart) && !inTimeline.contains(atEnd)) {
                delta.put(key, atEnd);
            }
        }
        return delta;
    }

    private Set<String> wantedMembers(Request r) {
        Set<String> wanted = new LinkedHashSet<>(r.heroes());
        r.timeline().forEach(e -> wanted.add(e.pdu().sender()));
        return wanted;
    }

    /**
     * The state before the window's first event. That of an event that is not state is the state
     * after it; when the room's state has not changed since it, that is the state in memory, so an
     * initial sync of a quiet room reads no snapshot.
     */
    private Map<StateKey, String> stateBeforeWindow(Request r) {
        StoredEvent first = r.timeline().getFirst();
        if (!first.pdu().isState() && first.streamOrdering() != null) {
            Optional<Map<StateKey, String>> known = unchangedSince(r.roomId(), first.streamOrdering());
            if (known.isPresent()) {
                return known.get();
            }
        }
        return stateBefore(first.eventId());
    }

    private Map<StateKey, String> stateBefore(String eventId) {
        Long snapshot = timeline.stateBefore(List.of(eventId)).get(eventId);
        return snapshot == null ? Map.of() : snapshots.load(snapshot);
    }

    private List<Pdu> load(Collection<String> ids, RoomEventFilter filter) {
        Map<String, StoredEvent> found = events.storedAll(ids);
        List<Pdu> section = new ArrayList<>();
        for (String id : ids) {
            StoredEvent e = found.get(id);
            if (e != null && filter.allows(e.pdu())) {
                section.add(e.pdu());
            }
        }
        section.sort(Comparator.comparing(Pdu::type).thenComparing(Pdu::stateKey));
        return section;
    }

    /** The membership events the device now has: the section's and the timeline's. */
    private void rememberMembers(Request r, List<Pdu> section) {
        Map<String, String> members = new HashMap<>();
        for (Pdu p : section) {
            if (p.type().equals(StateKey.MEMBER)) {
                members.put(p.stateKey(), p.eventId());
            }
        }
        for (StoredEvent e : r.timeline()) {
            if (e.pdu().type().equals(StateKey.MEMBER) && e.pdu().isState()) {
                members.put(e.pdu().stateKey(), e.eventId());
            }
        }
        lazyMembers.remember(r.userId(), r.deviceId(), r.roomId(), members);
    }

    /** The caches of this part's parts, by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return lazyMembers.caches();
    }
}
