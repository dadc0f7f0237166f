package org.myelin.server.client.rooms;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineRepository;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.state.StateSnapshotRepository;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which events a user may see (client-server API, "History visibility"). For each event, with
 * the room's {@code m.room.history_visibility} and the user's membership at that event (the
 * state after it):
 *
 * <ol>
 *   <li>the user's own membership events are always visible;</li>
 *   <li>{@code world_readable}: visible;</li>
 *   <li>the user's membership was {@code join}: visible;</li>
 *   <li>{@code shared}: visible if the user is joined now, or joined at any point after the event;</li>
 *   <li>{@code invited}: visible if the user's membership was {@code invite};</li>
 *   <li>otherwise not.</li>
 * </ol>
 *
 * An event that changes the history visibility is judged by the more permissive of the old and
 * new settings (as Synapse does), so that members can see the change itself. A room without a
 * history visibility event counts as {@code shared}.
 *
 * <p>Before all that, events the user must not be sent go: those of users they ignore
 * (client-server API, "Ignoring Users"), except state events, which are sent whoever sent them,
 * as Synapse's {@code filter_events_for_client} does.
 */
public final class EventVisibility {

    /** From most to least permissive. */
    private static final List<String> ORDER = List.of("world_readable", "shared", "invited", "joined");
    private static final String HISTORY_VISIBILITY = "m.room.history_visibility";

    private final EventRepository eventRepository;
    private final TimelineRepository timeline;
    private final StateSnapshotRepository snapshots;
    private final EventCache events;
    private final MembershipRepository memberships;
    private volatile IgnoredSenders ignored = IgnoredSenders.NONE;

    public EventVisibility(EventRepository eventRepository, TimelineRepository timeline,
                           StateSnapshotRepository snapshots, EventCache events, MembershipRepository memberships) {
        this.eventRepository = eventRepository;
        this.timeline = timeline;
        this.snapshots = snapshots;
        this.events = events;
        this.memberships = memberships;
    }

    /** Where the users each user ignores are found (their account data). */
    void ignoring(IgnoredSenders senders) {
        this.ignored = senders;
    }

    /** The events among {@code candidates} that {@code userId} may see, in the same order. */
    public List<StoredEvent> filter(String userId, List<StoredEvent> candidates) {
        return filter(userId, candidates, Map.of());
    }

    /**
     * As {@link #filter(String, List)}, taking the state after an event from {@code statesAfter}
     * (by event id) where it is known, and from the store otherwise.
     */
    public List<StoredEvent> filter(String userId, List<StoredEvent> candidates,
                                    Map<String, Map<StateKey, String>> statesAfter) {
        return filter(userId, candidates, statesAfter, false);
    }

    /**
     * As {@link #filter(String, List, Map)}; {@code joinedNow} when the caller knows the user is
     * joined to the candidates' room (a /sync's joined room), which the {@code shared} rule would
     * otherwise read from the store for events from before the user joined.
     */
    public List<StoredEvent> filter(String userId, List<StoredEvent> candidates,
                                    Map<String, Map<StateKey, String>> statesAfter, boolean joinedNow) {
        if (candidates.isEmpty()) {
            return List.of();
        }
        Set<String> ignoredSenders = ignored.ignoredBy(userId);
        if (!ignoredSenders.isEmpty()) {
            candidates = candidates.stream()
                    .filter(e -> e.pdu().isState() || !ignoredSenders.contains(e.pdu().sender())).toList();
            if (candidates.isEmpty()) {
                return List.of();
            }
        }
        Map<String, Long> after = eventRepository.stateAfter(candidates.stream().map(StoredEvent::eventId)
                .filter(id -> !statesAfter.containsKey(id)).toList());
        Map<String, Long> beforeVisibilityChanges = timeline.stateBefore(candidates.stream()
                .filter(e -> e.pdu().is(HISTORY_VISIBILITY, "")).map(StoredEvent::eventId).toList());
        Map<String, Membership> rooms = new HashMap<>();
        if (joinedNow) {
            candidates.forEach(e -> rooms.put(e.pdu().roomId(), JOINED_NOW));
        }
        List<StoredEvent> visible = new ArrayList<>();
        for (StoredEvent e : candidates) {
            Map<StateKey, String> state = statesAfter.get(e.eventId());
            if (state == null) {
                Long snapshot = after.get(e.eventId());
                state = snapshot == null ? null : snapshots.load(snapshot);
            }
            UserInRoom user = new UserInRoom(userId, e.pdu().roomId(), rooms);
            if (isVisible(e, user, state, beforeVisibilityChanges.get(e.eventId()))) {
                visible.add(e);
            }
        }
        return visible;
    }

    /** Whether {@code userId} may see {@code event}. */
    public boolean canSee(String userId, StoredEvent event) {
        return !filter(userId, List.of(event)).isEmpty();
    }

    private boolean isVisible(StoredEvent e, UserInRoom user, Map<StateKey, String> state, Long beforeSnapshot) {
        Pdu pdu = e.pdu();
        if (pdu.is(StateKey.MEMBER, user.userId())) {
            return true;
        }
        if (state == null) {
            return false;
        }
        String visibility = historyVisibility(state);
        if (beforeSnapshot != null) {
            String previous = historyVisibility(snapshots.load(beforeSnapshot));
            if (ORDER.indexOf(previous) < ORDER.indexOf(visibility)) {
                visibility = previous;
            }
        }
        if (visibility.equals("world_readable")) {
            return true;
        }
        if (visibility.equals("shared") && user.knownJoinedNow()) {
            // Visible whatever the membership at the event: no need to read its member event,
            // which for the rooms of a woken /sync had mostly left the event cache.
            return true;
        }
        String membership = membership(state, user.userId());
        if ("join".equals(membership)) {
            return true;
        }
        return switch (visibility) {
            case "shared" -> user.joinedNowOrAfter(e.streamOrdering());
            case "invited" -> "invite".equals(membership);
            default -> false;
        };
    }

    private String historyVisibility(Map<StateKey, String> state) {
        String id = state.get(StateKey.of(HISTORY_VISIBILITY, ""));
        Pdu event = id == null ? null : events.get(id);
        String value = event == null ? null : event.content().path("history_visibility").asText(null);
        return value != null && ORDER.contains(value) ? value : "shared";
    }

    private String membership(Map<StateKey, String> state, String userId) {
        String id = state.get(StateKey.member(userId));
        Pdu member = id == null ? null : events.get(id);
        return member == null ? null : member.membership();
    }

    private Membership membershipOf(String roomId, String userId) {
        boolean joinedNow = memberships.of(roomId, userId).map(m -> m.membership().equals("join")).orElse(false);
        List<Long> joins = new ArrayList<>();
        if (!joinedNow) {
            for (StoredEvent own : timeline.stateEvents(roomId, StateKey.MEMBER, userId)) {
                if ("join".equals(own.pdu().membership())) {
                    joins.add(own.streamOrdering());
                }
            }
        }
        return new Membership(joinedNow, joins);
    }

    /** Whether the user is joined now, and when they joined, in one room. */
    private record Membership(boolean joinedNow, List<Long> joinOrderings) {
    }

    private static final Membership JOINED_NOW = new Membership(true, List.of());

    /**
     * What decides visibility for one user in one room beside each event's own state: read from
     * the store only when an event needs it (most are decided by the state after them), once per
     * room of a filtering.
     */
    private final class UserInRoom {
        private final String userId;
        private final String roomId;
        private final Map<String, Membership> known;

        UserInRoom(String userId, String roomId, Map<String, Membership> known) {
            this.userId = userId;
            this.roomId = roomId;
            this.known = known;
        }

        String userId() {
            return userId;
        }

        /** Whether the user is known, without a query, to be joined to the room now. */
        boolean knownJoinedNow() {
            Membership m = known.get(roomId);
            return m != null && m.joinedNow();
        }

        boolean joinedNowOrAfter(Long ordering) {
            Membership m = known.computeIfAbsent(roomId, r -> membershipOf(r, userId));
            return m.joinedNow() || (ordering != null && m.joinOrderings().stream().anyMatch(j -> j > ordering));
        }
    }
}
