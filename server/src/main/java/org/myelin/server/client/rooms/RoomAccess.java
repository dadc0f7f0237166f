package org.myelin.server.client.rooms;

import org.myelin.protocol.auth.PowerLevels;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.EventStates;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.events.TimelineRepository;
import org.myelin.storage.rooms.MembershipRepository;

import java.util.Map;
import java.util.Optional;

/**
 * Who may read a room's state and timeline (client-server API, {@code GET /rooms/{roomId}/state}:
 * "If the user has left the room then the state is taken from the state of the room when they
 * left"): a joined user reads the current state; a user who left or was banned reads the state
 * as of their departure; anyone reads a {@code world_readable} room; everyone else gets 403.
 * A room this server does not know is 404.
 */
public final class RoomAccess {

    private final RoomHeads heads;
    private final EventStates states;
    private final EventCache events;
    private final MembershipRepository memberships;
    private final TimelineRepository timeline;

    public RoomAccess(RoomHeads heads, EventStates states, EventCache events, MembershipRepository memberships,
                      TimelineRepository timeline) {
        this.heads = heads;
        this.states = states;
        this.events = events;
        this.memberships = memberships;
        this.timeline = timeline;
    }

    /** The room's head; 404 M_NOT_FOUND if this server does not know the room. */
    public RoomHead head(String roomId) {
        return heads.get(roomId).orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
    }

    /** The user's membership per the room's current state ({@code join}, {@code leave} …), if any. */
    public Optional<MembershipRepository.Membership> membership(String roomId, String userId) {
        return memberships.of(roomId, userId);
    }

    /** The rooms the user is joined to. */
    public java.util.List<MembershipRepository.Membership> joinedRooms(String userId) {
        return memberships.roomsOf(userId, "join");
    }

    /** The event at {@code key} of the room's current state, or null. */
    public Pdu currentState(String roomId, StateKey key) {
        String id = head(roomId).currentState().get(key);
        return id == null ? null : events.get(id);
    }

    /** Whether the room's current history visibility is {@code world_readable}. */
    public boolean isWorldReadable(String roomId) {
        Pdu visibility = currentState(roomId, StateKey.of("m.room.history_visibility", ""));
        return visibility != null && "world_readable".equals(visibility.content().path("history_visibility").asText());
    }

    /** Requires that the user is joined; 403 otherwise (404 for an unknown room). */
    public void requireJoined(String roomId, String userId) {
        head(roomId);
        if (!memberships.of(roomId, userId).map(m -> m.membership().equals("join")).orElse(false)) {
            throw MatrixException.forbidden("User " + userId + " is not in room " + roomId);
        }
    }

    /**
     * Requires that the user may read the room's history at all: joined, departed (left or
     * banned: up to their departure) or the room is world readable.
     */
    public void requireCanRead(String roomId, String userId) {
        readableState(roomId, userId);
    }

    /** The state the user may read: current, or as of their departure. 403 if none. */
    public Map<StateKey, String> readableState(String roomId, String userId) {
        RoomHead head = head(roomId);
        Optional<MembershipRepository.Membership> membership = memberships.of(roomId, userId);
        if (membership.isPresent()) {
            String m = membership.get().membership();
            if (m.equals("join")) {
                return head.currentState();
            }
            if (m.equals("leave") || m.equals("ban")) {
                return stateAfter(roomId, membership.get().eventId()).orElse(head.currentState());
            }
        }
        if (isWorldReadable(roomId)) {
            return head.currentState();
        }
        throw MatrixException.forbidden("User " + userId + " is not in room " + roomId
                + " and the room is not world readable");
    }

    /**
     * The state the user may read as of timeline position {@code position}: the state after the
     * room's last event at or before it, but never past a departed user's departure.
     */
    public Map<StateKey, String> readableStateAt(String roomId, String userId, long position) {
        Map<StateKey, String> readable = readableState(roomId, userId);
        long until = position;
        Optional<MembershipRepository.Membership> membership = memberships.of(roomId, userId);
        if (membership.isPresent() && !membership.get().membership().equals("join")
                && membership.get().streamOrdering() != null) {
            until = Math.min(until, membership.get().streamOrdering());
        }
        Optional<StoredEvent> last = timeline.latestAt(roomId, until);
        if (last.isEmpty()) {
            return readable;
        }
        return stateAfter(roomId, last.get().eventId()).orElse(readable);
    }

    /**
     * Whether the user is joined and has the power level to send a state event of {@code type}
     * in the current state: the check Synapse makes before directory changes ("can change room
     * list"), which are not events and so are not judged by the auth rules.
     */
    public boolean canSendState(String roomId, String userId, String type) {
        RoomHead head = head(roomId);
        if (!memberships.of(roomId, userId).map(m -> m.membership().equals("join")).orElse(false)) {
            return false;
        }
        PowerLevels levels = PowerLevels.of(head.version().auth(), currentState(roomId, StateKey.powerLevels()),
                currentState(roomId, StateKey.create()));
        return levels.userLevel(userId) >= levels.eventLevel(type, true);
    }

    /**
     * Whether the user is joined and has the power level to invite in the current state, which
     * is what the auth rules ask of {@code m.room.third_party_invite} (checked before an identity
     * server is asked to store an invite that could not be sent).
     */
    public boolean mayInvite(String roomId, String userId) {
        RoomHead head = head(roomId);
        if (!memberships.of(roomId, userId).map(m -> m.membership().equals("join")).orElse(false)) {
            return false;
        }
        PowerLevels levels = PowerLevels.of(head.version().auth(), currentState(roomId, StateKey.powerLevels()),
                currentState(roomId, StateKey.create()));
        return levels.userLevel(userId) >= levels.invite();
    }

    /** The state after an event of the room's graph. */
    public Optional<Map<StateKey, String>> stateAfter(String roomId, String eventId) {
        return states.after(roomId, eventId).map(EventStates.State::entries);
    }
}
