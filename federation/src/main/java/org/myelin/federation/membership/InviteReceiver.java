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
 * {@code PUT /_matrix/federation/v2/invite/{roomId}/{eventId}}): the event is checked to be an
 * invite of a local user sent by a user of the origin, signed by this server, and stored as an
 * out-of-band membership carrying the room's stripped state in {@code unsigned.invite_room_state},
 * where /sync finds it. The answer is the event with our signature.
 */
public final class InviteReceiver {

    private final LocalServer local;
    private final RoomEventPipeline pipeline;
    private final RoomAccess access;

    public InviteReceiver(LocalServer local, RoomEventPipeline pipeline, RoomAccess access) {
        this.local = local;
        this.pipeline = pipeline;
        this.access = access;
    }

    /** What {@code invite} v2 answers: the invite event, signed by us. */
    public record Signed(ObjectNode event) {
    }

    public Signed invite(String origin, String roomId, String eventId, JsonNode body) {
        if (!(body instanceof ObjectNode request) || !(request.get("event") instanceof ObjectNode json)) {
            throw FederationException.badJson("The body must hold the invite event");
        }
        String versionId = request.path("room_version").asText(null);
        RoomVersion version = versionId == null ? null : RoomVersions.find(versionId).orElse(null);
        if (version == null) {
            throw MembershipTemplates.incompatible("This server does not support room version " + versionId);
        }
        Pdu invite;
        try {
            invite = Pdu.parse(json, version);
        } catch (RuntimeException e) {
            throw FederationException.badJson("Invalid invite event: " + e.getMessage());
        }
        check(origin, roomId, eventId, invite);
        JsonNode carried = request.get("invite_room_state");
        ArrayNode roomState = checkedRoomState(carried, invite);
        ObjectNode signed = EventSigning.sign(invite.json(), version, local.serverName(), local.signingKey());
        ObjectNode stored = signed.deepCopy();
        if (roomState != null) {
            stored.with("unsigned").set("invite_room_state", roomState);
        }
        Outcome outcome = pipeline.submit(new Input.OutOfBandMembership(Pdu.parse(stored, version), origin));
        if (outcome instanceof Outcome.Rejected r) {
            throw FederationException.invalidParam("Invite refused: " + r.reason());
        }
        return new Signed(signed);
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
