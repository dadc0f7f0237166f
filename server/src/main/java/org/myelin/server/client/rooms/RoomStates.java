package org.myelin.server.client.rooms;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.directory.RoomAliases;
import org.myelin.server.http.MatrixException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A room's state as clients read and write it (client-server API, "Getting events for a room":
 * {@code /state}, {@code /members}, {@code /joined_members}; "Sending events to a room": PUT
 * {@code /state}). Reads see what {@link RoomAccess} allows; writes go through {@link RoomActions}.
 */
public final class RoomStates {

    /**
     * One joined member in {@code /joined_members}. Both keys are always there, null when the
     * member event has none: Synapse answers so, and matrix-nio's schema requires them.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record JoinedMember(String displayName, String avatarUrl) {
    }

    private final RoomAccess access;
    private final RoomActions actions;
    private final RoomAliases aliases;
    private final EventCache events;
    private final ClientEvents format;

    public RoomStates(RoomAccess access, RoomActions actions, RoomAliases aliases, EventCache events,
                      ClientEvents format) {
        this.access = access;
        this.actions = actions;
        this.aliases = aliases;
        this.events = events;
        this.format = format;
    }

    /** Every state event the user may read, in client format. */
    public List<ObjectNode> all(Requester requester, String roomId) {
        return format.format(eventsOf(access.readableState(roomId, requester.userId())), requester.userId(),
                requester.deviceId());
    }

    /** The state event at {@code (type, stateKey)} the user may read; 404 if there is none. */
    public Pdu one(Requester requester, String roomId, String type, String stateKey) {
        String id = access.readableState(roomId, requester.userId()).get(new StateKey(type, stateKey));
        Pdu event = id == null ? null : events.get(id);
        if (event == null) {
            throw MatrixException.notFound("Event not found");
        }
        return event;
    }

    /** The state event in client format. */
    public ObjectNode oneAsEvent(Requester requester, String roomId, String type, String stateKey) {
        return format.format(one(requester, roomId, type, stateKey), requester.userId(), requester.deviceId());
    }

    /**
     * The member events of the room (at position {@code at} if given) with membership
     * {@code membership} or other than {@code notMembership} (either, when both are given).
     */
    public List<ObjectNode> members(Requester requester, String roomId, TimelineToken at, String membership,
                                    String notMembership) {
        Map<StateKey, String> state = at == null
                ? access.readableState(roomId, requester.userId())
                : access.readableStateAt(roomId, requester.userId(), at.position());
        List<Pdu> members = new ArrayList<>();
        for (Pdu event : eventsOf(state)) {
            if (!event.type().equals(StateKey.MEMBER)) {
                continue;
            }
            String m = event.membership();
            boolean is = membership != null && membership.equals(m);
            boolean isNot = notMembership != null && !notMembership.equals(m);
            if (membership == null && notMembership == null || is || isNot) {
                members.add(event);
            }
        }
        return format.format(members, requester.userId(), requester.deviceId());
    }

    /** The joined members and their profiles; only for members of the room. */
    public Map<String, JoinedMember> joinedMembers(Requester requester, String roomId) {
        access.requireJoined(roomId, requester.userId());
        Map<String, JoinedMember> joined = new LinkedHashMap<>();
        for (Pdu event : eventsOf(access.head(roomId).currentState())) {
            if (event.type().equals(StateKey.MEMBER) && "join".equals(event.membership())) {
                joined.put(event.stateKey(), new JoinedMember(text(event, "displayname"), text(event, "avatar_url")));
            }
        }
        return joined;
    }

    /** {@code PUT /state/{eventType}/{stateKey}}: sets a state event; returns its id. */
    public String put(Requester requester, String roomId, String type, String stateKey, ObjectNode content) {
        access.head(roomId);
        if (type.equals("m.room.canonical_alias") && stateKey.isEmpty()) {
            aliases.checkCanonicalAlias(roomId, content);
        }
        return actions.sendClientState(roomId, requester.userId(), type, stateKey, content);
    }

    private List<Pdu> eventsOf(Map<StateKey, String> state) {
        List<Pdu> found = new ArrayList<>(events.storedAll(state.values()).values().stream()
                .map(org.myelin.storage.events.StoredEvent::pdu).toList());
        found.sort(Comparator.comparing((Pdu p) -> p.type()).thenComparing(Pdu::stateKey));
        return found;
    }

    private static String text(Pdu event, String key) {
        return event.content().path(key).isTextual() ? event.content().get(key).textValue() : null;
    }
}
