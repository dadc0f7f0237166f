package org.myelin.federation.membership;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.FederationException;
import org.myelin.federation.inbound.RoomAccess;
import org.myelin.protocol.auth.AuthEventsSelection;
import org.myelin.protocol.auth.AuthResult;
import org.myelin.protocol.auth.EventAuth;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.id.UserId;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The first half of the membership handshakes, on the resident server (server-server API,
 * "Joining Rooms", "Knocking upon a room", "Leaving Rooms (Rejecting Invites)"):
 * {@code make_join}, {@code make_knock} and {@code make_leave} answer with an event template
 * built on the room's head, which the user's server completes, signs and sends back. A template
 * is only given for a membership the room's current state would allow; a join of a restricted
 * room names a local user who can invite ({@link RestrictedJoins}).
 */
public final class MembershipTemplates {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Synapse caps prev_events at 10 too. */
    private static final int MAX_PREV_EVENTS = 10;

    /** The answer of {@code make_*}: the room's version and the event template. */
    public record Template(String roomVersion, ObjectNode event) {
    }

    private final LocalServer local;
    private final RoomHeads heads;
    private final EventCache events;
    private final RoomAccess access;
    private final RestrictedJoins restricted;
    private final Clock clock;

    public MembershipTemplates(LocalServer local, RoomHeads heads, EventCache events, RoomAccess access,
                               RestrictedJoins restricted, Clock clock) {
        this.local = local;
        this.heads = heads;
        this.events = events;
        this.access = access;
        this.restricted = restricted;
        this.clock = clock;
    }

    /**
     * {@code GET /_matrix/federation/v1/make_join/{roomId}/{userId}?ver=…}: 400
     * M_INCOMPATIBLE_ROOM_VERSION if the room's version is not among {@code versions}, 403 if the
     * user may not join.
     */
    public Template makeJoin(String origin, String roomId, String userId, List<String> versions) {
        RoomHead head = checkedHead(origin, roomId, userId);
        requireVersion(head, versions);
        ObjectNode content = JSON.objectNode().put("membership", "join");
        restricted.authorisingUser(head, userId).ifPresent(u -> content.put("join_authorised_via_users_server", u));
        return template(head, userId, content);
    }

    /** {@code GET /_matrix/federation/v1/make_knock/{roomId}/{userId}?ver=…}. */
    public Template makeKnock(String origin, String roomId, String userId, List<String> versions) {
        RoomHead head = checkedHead(origin, roomId, userId);
        requireVersion(head, versions);
        if (!head.version().auth().knocking()) {
            throw FederationException.incompatibleRoomVersion(head.version().id(), "Room version " + head.version().id()
                    + " does not support knocking");
        }
        return template(head, userId, JSON.objectNode().put("membership", "knock"));
    }

    /** {@code GET /_matrix/federation/v1/make_leave/{roomId}/{userId}}. */
    public Template makeLeave(String origin, String roomId, String userId) {
        RoomHead head = checkedHead(origin, roomId, userId);
        return template(head, userId, JSON.objectNode().put("membership", "leave"));
    }

    private RoomHead checkedHead(String origin, String roomId, String userId) {
        if (!UserId.isValid(userId) || !Pdu.domainOf(userId).equals(origin)) {
            throw FederationException.forbidden("User " + userId + " does not belong to " + origin);
        }
        RoomHead head = heads.get(roomId).orElseThrow(() -> FederationException.notFound("Unknown room " + roomId));
        access.requireAclAllows(roomId, origin);
        if (!access.isInRoom(roomId, local.serverName())) {
            throw FederationException.notFound("This server is no longer in room " + roomId);
        }
        return head;
    }

    private static void requireVersion(RoomHead head, List<String> versions) {
        List<String> supported = versions.isEmpty() ? List.of("1") : versions;
        if (!supported.contains(head.version().id())) {
            throw FederationException.incompatibleRoomVersion(head.version().id(), "Your server does not support room version "
                    + head.version().id());
        }
    }

    /**
     * The template: the membership event on the head, with the auth events its rules need; no
     * hashes or signatures (and no event id in room versions 1 and 2, which the user's server
     * picks). It must pass the rules against the current state (signatures taken for granted).
     */
    private Template template(RoomHead head, String userId, ObjectNode content) {
        List<String> auth = new ArrayList<>();
        for (StateKey key : AuthEventsSelection.requiredFor(StateKey.MEMBER, userId, userId, content, head.version())) {
            String id = head.currentState().get(key);
            if (id != null) {
                auth.add(id);
            }
        }
        List<String> prevs = head.forwardExtremities();
        if (prevs.size() > MAX_PREV_EVENTS) {
            prevs = prevs.subList(prevs.size() - MAX_PREV_EVENTS, prevs.size());
        }
        EventBuilder builder = EventBuilder.in(head.version(), head.roomId()).type(StateKey.MEMBER).stateKey(userId)
                .sender(userId).content(content).prevEvents(prevs).authEvents(auth)
                .depth(Math.min(head.maxDepth() + 1, Long.MAX_VALUE - 1)).originServerTs(clock.millis())
                .origin(local.serverName());
        if (!head.version().eventFormat().eventIdIsHash()) {
            builder.eventId("$template:" + Pdu.domainOf(userId));
        }
        ObjectNode event = builder.unsignedJson();
        AuthResult verdict = EventAuth.check(Pdu.parse(event, head.version()), key -> {
            String id = head.currentState().get(key);
            return id == null ? null : events.get(id);
        }, (e, server) -> true);
        if (verdict instanceof AuthResult.Rejected r) {
            throw FederationException.forbidden("You cannot " + content.path("membership").asText()
                    + " this room: " + r.reason());
        }
        event.remove("event_id");
        return new Template(head.version().id(), event);
    }
}
