package org.myelin.federation.membership;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.FederationException;
import org.myelin.federation.inbound.RoomAccess;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.pipeline.Input;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.rooms.pipeline.RoomEventPipeline;

/**
 * An invite of one of our users by another server (server-server API, "Inviting to a room",
 * {@code PUT /_matrix/federation/v2/invite/{roomId}/{eventId}}, and the v1 endpoint older servers
 * call): the event is checked to be an invite of a local user sent by a user of the origin,
 * signed by this server, and stored as an out-of-band membership carrying the room's stripped
 * state in {@code unsigned.invite_room_state}, where /sync finds it. The answer is the event with
 * our signature.
 *
 * <p>The stripped state travels beside the event, not in it: the event is held to the size limit
 * of events, the stripped state to its own ({@link StrippedState#problemWith}).
 */
public final class InviteReceiver {

    /** The room version a v1 invite is taken to be of: the endpoint predates the others' event formats. */
    private static final RoomVersion V1_INVITE_VERSION = RoomVersions.V1;

    private final LocalServer local;
    private final RoomEventPipeline pipeline;
    private final RoomAccess access;

    public InviteReceiver(LocalServer local, RoomEventPipeline pipeline, RoomAccess access) {
        this.local = local;
        this.pipeline = pipeline;
        this.access = access;
    }

    /** What {@code invite} answers: the invite event, signed by us. */
    public record Signed(ObjectNode event) {
    }

    /** {@code PUT /_matrix/federation/v2/invite/{roomId}/{eventId}}: the event, its room's version and stripped state. */
    public Signed invite(String origin, String roomId, String eventId, JsonNode body) {
        if (!(body instanceof ObjectNode request) || !(request.get("event") instanceof ObjectNode json)) {
            throw FederationException.badJson("The body must hold the invite event");
        }
        String versionId = request.path("room_version").asText(null);
        if (versionId == null) {
            throw FederationException.badJson("The body must name the room_version");
        }
        RoomVersion version = RoomVersions.find(versionId).orElseThrow(() -> FederationException
                .incompatibleRoomVersion(versionId, "This server does not support room version " + versionId));
        return new Signed(receive(origin, roomId, eventId,
                new Sent(json, version, request.get("invite_room_state"))));
    }

    /**
     * {@code PUT /_matrix/federation/v1/invite/{roomId}/{eventId}}: the body is the event, its
     * stripped state in its {@code unsigned}; the room is taken to be of version 1 or 2, as the
     * spec says (their events have one format). The answer keeps the {@code unsigned} sent.
     */
    public Signed inviteV1(String origin, String roomId, String eventId, JsonNode body) {
        if (!(body instanceof ObjectNode json)) {
            throw FederationException.badJson("The body must be the invite event");
        }
        ObjectNode event = json.deepCopy();
        JsonNode unsigned = event.remove("unsigned");
        ObjectNode signed = receive(origin, roomId, eventId,
                new Sent(event, V1_INVITE_VERSION, unsigned == null ? null : unsigned.get("invite_room_state")));
        if (unsigned != null) {
            signed.set("unsigned", unsigned);
        }
        return new Signed(signed);
    }

    /** What the inviting server sent: the event, its room's version, the stripped state (or null). */
    private record Sent(ObjectNode event, RoomVersion version, JsonNode roomState) {
    }

    /** Checks, signs and stores the invite; returns it signed. */
    private ObjectNode receive(String origin, String roomId, String eventId, Sent sent) {
        RoomVersion version = sent.version();
        Pdu invite = parsed(sent.event(), version);
        check(origin, roomId, eventId, invite);
        ArrayNode roomState = checkedRoomState(sent.roomState(), invite);
        ObjectNode signed = EventSigning.sign(invite.json(), version, local.serverName(), local.signingKey());
        Pdu stored = parsed(signed, version); // our signature may take it over the size limit
        if (roomState != null) {
            stored = stored.withUnsigned("invite_room_state", roomState);
        }
        Outcome outcome = pipeline.submit(new Input.OutOfBandMembership(stored, origin));
        if (outcome instanceof Outcome.Rejected r) {
            throw FederationException.invalidParam("Invite refused: " + r.reason());
        }
        return signed;
    }

    private static Pdu parsed(ObjectNode json, RoomVersion version) {
        try {
            return Pdu.parse(json, version);
        } catch (RuntimeException e) {
            throw FederationException.badJson("Invalid invite event: " + e.getMessage());
        }
    }

    private void check(String origin, String roomId, String eventId, Pdu invite) {
        if (!invite.eventId().equals(eventId) || !invite.roomId().equals(roomId)) {
            throw FederationException.invalidParam("The event is not " + eventId + " of room " + roomId);
        }
        if (!StateKey.MEMBER.equals(invite.type()) || invite.stateKey() == null
                || !"invite".equals(invite.membership())) {
            throw FederationException.invalidParam("Not an invite");
        }
        if (!invite.senderDomain().equals(origin)) {
            throw FederationException.invalidParam("The inviter does not belong to " + origin);
        }
        if (!local.isLocalUser(invite.stateKey())) {
            throw FederationException.invalidParam("The invitee does not belong to this server");
        }
        access.requireAclAllows(roomId, origin);
    }

    /**
     * The {@code invite_room_state} to keep: its entries must be events of the invite's room, the
     * create event among them; room versions from 12 on must send it so, older ones are taken as
     * they come (stripped events were the norm before Matrix 1.16).
     */
    private static ArrayNode checkedRoomState(JsonNode carried, Pdu invite) {
        if (carried == null || carried.isNull()) {
            return null;
        }
        if (!(carried instanceof ArrayNode entries)) {
            throw FederationException.invalidParam("invite_room_state must be an array");
        }
        StrippedState.problemWith(entries).ifPresent(problem -> {
            throw FederationException.invalidParam("invite_room_state " + problem);
        });
        if (!invite.roomVersion().auth().roomIdIsCreateEventHash()) {
            return entries;
        }
        boolean hasCreate = false;
        for (JsonNode entry : entries) {
            Pdu event;
            try {
                event = Pdu.parse((ObjectNode) entry, invite.roomVersion());
            } catch (RuntimeException e) {
                throw FederationException.invalidParam("invite_room_state holds an invalid event: " + e.getMessage());
            }
            if (!event.roomId().equals(invite.roomId())) {
                throw FederationException.invalidParam("invite_room_state holds an event of another room");
            }
            hasCreate |= event.is(StateKey.CREATE, "");
        }
        if (!hasCreate) {
            throw FederationException.invalidParam("invite_room_state lacks the room's create event");
        }
        return entries;
    }
}
