package org.myelin.federation.membership;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.FederationException;
import org.myelin.federation.client.FederationClient;
import org.myelin.federation.client.FederationClientException;
import org.myelin.federation.keys.EventSignatures;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.rooms.pipeline.Input;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.rooms.pipeline.Prepared;
import org.myelin.rooms.pipeline.RoomEventPipeline;

/**
 * A local user invites a user of another server (server-server API, "Inviting to a room"): the
 * invite is built and authorised here ({@link RoomEventPipeline#prepare}), sent to the invitee's
 * server with the room's stripped state ({@code PUT /_matrix/federation/v2/invite}), and the event
 * it returns, now signed by that server too, is committed as a received event, whence it reaches
 * the other servers in the room.
 */
public final class RemoteInvites {

    private final LocalServer local;
    private final FederationClient client;
    private final RoomEventPipeline pipeline;
    private final RoomHeads heads;
    private final EventSignatures signatures;
    private final StrippedState stripped;

    /** What remote invites need; built once by the server's wiring. */
    public record Parts(LocalServer local, FederationClient client, RoomEventPipeline pipeline, RoomHeads heads,
                        EventSignatures signatures, StrippedState stripped) {
    }

    public RemoteInvites(Parts parts) {
        this.local = parts.local();
        this.client = parts.client();
        this.pipeline = parts.pipeline();
        this.heads = parts.heads();
        this.signatures = parts.signatures();
        this.stripped = parts.stripped();
    }

    /**
     * Invites {@code invite.stateKey()}; returns the invite's event id once committed.
     *
     * @throws FederationException 403 if the room's rules or the invitee's server refuse it, 502
     *                             if that server cannot be reached
     */
    public String invite(Input.LocalEvent invite) {
        Pdu event = switch (pipeline.prepare(invite)) {
            case Prepared.Refused refused -> throw FederationException.forbidden(refused.rejected().reason());
            case Prepared.Ready ready -> ready.pdu();
        };
        String server = Pdu.domainOf(event.stateKey());
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("room_version", event.roomVersion().id());
        body.set("event", event.jsonCopy());
        body.putArray("invite_room_state").addAll(stripped.of(heads.get(event.roomId()).orElseThrow().currentState(),
                event.sender()));
        JsonNode answer;
        try {
            answer = client.send(server, "PUT", "/_matrix/federation/v2/invite/" + FederationClient.encode(event.roomId())
                    + "/" + FederationClient.encode(event.eventId()), body);
        } catch (FederationClientException e) {
            if (e.status() >= 400 && e.status() < 500) {
                throw FederationException.forbidden(server + " refused the invite: " + e.getMessage());
            }
            throw new FederationException(502, "M_UNKNOWN", "Cannot reach " + server + " to invite "
                    + event.stateKey() + ": " + e.getMessage());
        }
        Pdu signed = countersigned(answer, event, server);
        Outcome outcome = pipeline.submit(new Input.RemoteEvent(signed, local.serverName()));
        if (outcome instanceof Outcome.Rejected r) {
            throw FederationException.forbidden("The invite was refused: " + r.reason());
        }
        return signed.eventId();
    }

    /** The invite as the invitee's server returned it: the same event, with a valid signature of that server. */
    private Pdu countersigned(JsonNode answer, Pdu sent, String server) {
        Pdu signed;
        try {
            signed = Pdu.parse((ObjectNode) answer.get("event"), sent.roomVersion());
        } catch (RuntimeException e) {
            throw new FederationException(502, "M_UNKNOWN", server + " answered the invite with no valid event");
        }
        if (!signed.eventId().equals(sent.eventId()) || !signatures.isSignedBy(signed, server)) {
            throw new FederationException(502, "M_UNKNOWN", server + " did not return the invite signed");
        }
        return signed;
    }
}
