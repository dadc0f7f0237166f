package org.myelin.federation.inbound;

import org.myelin.federation.FederationException;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.EventStates;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.rooms.MembershipRepository;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may ask about a room over federation: the room's server ACL must allow the requesting
 * server (server-server API, "Server Access Control Lists"), and the server must be in the room:
 * have a joined member in the room's current state, or in the state after the event asked about
 * (so a server that has left can still fetch what it saw).
 */
public final class RoomAccess {

    private static final StateKey ACL = new StateKey("m.room.server_acl", "");

    private final RoomHeads heads;
    private final EventCache events;
    private final EventStates states;
    private final MembershipRepository memberships;

    public RoomAccess(RoomHeads heads, EventCache events, EventStates states, MembershipRepository memberships) {
        this.heads = heads;
        this.events = events;
        this.states = states;
        this.memberships = memberships;
    }

    /** The room's current ACL ({@link ServerAcl#NONE} if it has none or is unknown). */
    public ServerAcl acl(String roomId) {
        Optional<RoomHead> head = heads.get(roomId);
        if (head.isEmpty()) {
            return ServerAcl.NONE;
        }
        String aclId = head.get().currentState().get(ACL);
        Pdu acl = aclId == null ? null : events.get(aclId);
        return acl == null ? ServerAcl.NONE : ServerAcl.fromContent(acl.content());
    }

    /** 403 unless the room's ACL allows {@code server}. */
    public void requireAclAllows(String roomId, String server) {
        if (!acl(roomId).allows(server)) {
            throw FederationException.forbidden("Server " + server + " is denied by the room's server ACL");
        }
    }

    /** Whether {@code server} has a joined member in the room's current state. */
    public boolean isInRoom(String roomId, String server) {
        return memberships.joinedServers(roomId).contains(server);
    }

    /** 403 unless the ACL allows {@code server} and it is in the room now. */
    public void requireInRoom(String roomId, String server) {
        requireAclAllows(roomId, server);
        if (!isInRoom(roomId, server)) {
            throw FederationException.forbidden("Server " + server + " is not in room " + roomId);
        }
    }

    /** 403 unless the ACL allows {@code server} and it is in the room now or was just after {@code eventId}. */
    public void requireCanSee(String roomId, String eventId, String server) {
        requireAclAllows(roomId, server);
        if (isInRoom(roomId, server) || wasJoinedAfter(roomId, eventId, server)) {
            return;
        }
        throw FederationException.forbidden("Server " + server + " is not in room " + roomId + " at " + eventId);
    }

    /** Whether {@code server} had a joined member in the state after {@code eventId}. */
    boolean wasJoinedAfter(String roomId, String eventId, String server) {
        return states.after(roomId, eventId)
                .map(state -> membershipsOf(server, state.entries()).contains("join"))
                .orElse(false);
    }

    /** The memberships ({@code join}, {@code invite} …) that {@code server}'s users hold in {@code state}. */
    Set<String> membershipsOf(String server, Map<StateKey, String> state) {
        List<String> memberEvents = new ArrayList<>();
        for (Map.Entry<StateKey, String> entry : state.entrySet()) {
            if (entry.getKey().type().equals(StateKey.MEMBER)
                    && Pdu.domainOf(entry.getKey().stateKey()).equals(server)) {
                memberEvents.add(entry.getValue());
            }
        }
        Set<String> held = new HashSet<>();
        for (StoredEvent member : events.storedAll(memberEvents).values()) {
            if (member.pdu().membership() != null) {
                held.add(member.pdu().membership());
            }
        }
        return held;
    }
}
