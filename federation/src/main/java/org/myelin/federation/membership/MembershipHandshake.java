package org.myelin.federation.membership;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.FederationException;
import org.myelin.federation.inbound.EventServing;
import org.myelin.federation.inbound.RoomAccess;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.rooms.pipeline.Input;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.rooms.pipeline.RoomEventPipeline;
import org.myelin.rooms.ports.Outbox;
import org.myelin.storage.rooms.MembershipRepository;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The second half of the membership handshakes, on the resident server (server-server API,
 * "Joining Rooms", "Knocking upon a room", "Leaving Rooms (Rejecting Invites)"): the user's
 * server sends back the completed, signed event ({@code send_join}, {@code send_knock},
 * {@code send_leave}, version 2); it is checked to be what was asked for, countersigned when it
 * names a local user as the authoriser of a restricted join, and goes through the one pipeline
 * as a received event, and on to the other servers in the room, which would otherwise not hear
 * of it (only the events of their own users do servers send). A join is answered with the room's
 * state before it and the auth chain.
 */
public final class MembershipHandshake {

    /**
     * The answer of {@code send_join} (v2; v1 wraps it): {@code origin} is this server, which
     * older servers read.
     */
    public record JoinAnswer(String origin, List<ObjectNode> state, List<ObjectNode> authChain, ObjectNode event,
                             boolean membersOmitted, List<String> serversInRoom) {
    }

    /** The answer of {@code send_knock}. */
    public record KnockAnswer(List<ObjectNode> knockRoomState) {
    }

    private final LocalServer local;
    private final RoomHeads heads;
    private final RoomEventPipeline pipeline;
    private final RoomAccess access;
    private final EventServing serving;
    private final MembershipRepository memberships;
    private final StrippedState stripped;
    private final RestrictedJoins restricted;
    private final Outbox outbox;

    /** What the handshakes need; built once by the server's wiring. */
    public record Parts(LocalServer local, RoomHeads heads, RoomEventPipeline pipeline, RoomAccess access,
                        EventServing serving, MembershipRepository memberships, StrippedState stripped,
                        RestrictedJoins restricted, Outbox outbox) {
    }

    public MembershipHandshake(Parts parts) {
        this.local = parts.local();
        this.heads = parts.heads();
        this.pipeline = parts.pipeline();
        this.access = parts.access();
        this.serving = parts.serving();
        this.memberships = parts.memberships();
        this.stripped = parts.stripped();
        this.restricted = parts.restricted();
        this.outbox = parts.outbox();
    }

    /** {@code PUT /_matrix/federation/v2/send_join/{roomId}/{eventId}} (and v1). */
    public JoinAnswer sendJoin(String origin, String roomId, String eventId, JsonNode body) {
        Pdu join = checked(origin, roomId, eventId, body, "join");
        String authoriser = join.content().path("join_authorised_via_users_server").asText(null);
        if (authoriser != null && local.isLocalUser(authoriser)) {
            // Our user vouches for the join, and our signature is what the auth rules look for:
            // given only to a join make_join would have offered.
            restricted.requireMayAuthorise(heads.get(roomId).orElseThrow(), join.stateKey(), authoriser);
            join = countersigned(join);
        }
        Set<String> servers = new LinkedHashSet<>(memberships.joinedServers(roomId));
        commit(join, origin, servers);
        servers.add(local.serverName());
        EventServing.State state = serving.state(origin, roomId, join.eventId());
        return new JoinAnswer(local.serverName(), state.pdus(), state.authChain(), join.jsonCopy(), false,
                List.copyOf(servers));
    }

    private Pdu countersigned(Pdu join) {
        try {
            return Pdu.parse(EventSigning.sign(join.json(), join.roomVersion(), local.serverName(),
                    local.signingKey()), join.roomVersion());
        } catch (RuntimeException e) {
            // Our signature made it too large.
            throw FederationException.badJson("Invalid event: " + e.getMessage());
        }
    }

    /** {@code PUT /_matrix/federation/v2/send_leave/{roomId}/{eventId}} (and v1). */
    public void sendLeave(String origin, String roomId, String eventId, JsonNode body) {
        commit(checked(origin, roomId, eventId, body, "leave"), origin, memberships.joinedServers(roomId));
    }

    /** {@code PUT /_matrix/federation/v1/send_knock/{roomId}/{eventId}}: answered with the room's stripped state. */
    public KnockAnswer sendKnock(String origin, String roomId, String eventId, JsonNode body) {
        Pdu knock = checked(origin, roomId, eventId, body, "knock");
        commit(knock, origin, memberships.joinedServers(roomId));
        RoomHead head = heads.get(roomId).orElseThrow();
        return new KnockAnswer(stripped.of(head.currentState(), null));
    }

    /** The event, if it is the {@code membership} event of a user of {@code origin} for this room. */
    private Pdu checked(String origin, String roomId, String eventId, JsonNode body, String membership) {
        RoomHead head = heads.get(roomId).orElseThrow(() -> FederationException.notFound("Unknown room " + roomId));
        access.requireAclAllows(roomId, origin);
        if (!(body instanceof ObjectNode json)) {
            throw FederationException.badJson("The body must be the signed membership event");
        }
        Pdu event;
        try {
            event = Pdu.parse(json, head.version());
        } catch (RuntimeException e) {
            throw FederationException.badJson("Invalid event: " + e.getMessage());
        }
        if (!event.eventId().equals(eventId) || !event.roomId().equals(roomId)) {
            throw FederationException.badJson("The event is not " + eventId + " of room " + roomId);
        }
        if (!event.is(StateKey.MEMBER, event.sender()) || !membership.equals(event.membership())) {
            throw FederationException.badJson("Expected the sender's own m.room.member event with membership "
                    + membership);
        }
        if (!event.senderDomain().equals(origin)) {
            throw FederationException.forbidden("The event's sender does not belong to " + origin);
        }
        return event;
    }

    /** Commits the event, then hands it to {@code servers} (those in the room before it) but its origin and us. */
    private void commit(Pdu event, String origin, java.util.Collection<String> servers) {
        Outcome outcome = pipeline.submit(new Input.RemoteEvent(event, origin));
        switch (outcome) {
            case Outcome.Accepted accepted -> {
                Set<String> destinations = new LinkedHashSet<>(servers);
                destinations.addAll(memberships.joinedServers(event.roomId()));
                destinations.remove(origin);
                destinations.remove(local.serverName());
                if (!accepted.event().alreadyKnown() && !destinations.isEmpty()) {
                    outbox.send(event, destinations);
                }
            }
            case Outcome.SoftFailed soft -> throw FederationException.forbidden(
                    "The " + event.membership() + " is not allowed by the room's current state");
            case Outcome.Rejected r -> throw FederationException.forbidden(
                    "The " + event.membership() + " was refused: " + r.reason());
        }
    }
}
