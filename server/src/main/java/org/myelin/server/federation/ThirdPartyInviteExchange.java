package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.client.FederationClient;
import org.myelin.federation.client.FederationClientException;
import org.myelin.protocol.auth.ThirdPartyInviteKeys;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.id.UserId;
import org.myelin.rooms.LocalServer;
import org.myelin.server.client.rooms.Memberships;
import org.myelin.server.client.rooms.RoomAccess;
import org.myelin.server.client.rooms.ThirdPartyRedeemer;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.server.identity.IdentityServers;
import org.myelin.storage.rooms.MembershipRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Turning a third-party invite into a membership invite once its identifier is bound
 * (server-server API, "Third-party invites"). The identity server posts the bound user's pending
 * invites to {@code /3pid/onbind}; each is sent here when the inviter is a user of this server and
 * this server is in the room, else handed to the inviter's server (and, for room ids that name one,
 * the room's) with {@code /exchange_third_party_invite}. The server that sends it checks first, as
 * Synapse does, that the identity server's {@code signed} block verifies with a key of the room's
 * {@code m.room.third_party_invite} for its token and that the identity server still holds that
 * key valid; the auth rules check the rest.
 *
 * <p>Unlike Synapse, this server never builds the member event of an inviter of another server,
 * even when it is in the room: the event would carry no signature of the sender's server, which
 * the auth rules of every room version ask for.
 */
final class ThirdPartyInviteExchange implements ThirdPartyRedeemer {

    private static final Logger LOG = LoggerFactory.getLogger(ThirdPartyInviteExchange.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** A third-party invite to redeem: who invited, whom, in which room, and the identity server's signed block. */
    record Redeem(String roomId, String sender, String target, ObjectNode signed) {
    }

    /** What the exchange uses. */
    record Parts(LocalServer local, RoomAccess access, MembershipRepository memberships, Memberships send,
                 IdentityServers identity, FederationClient client) {
    }

    private final Parts p;

    ThirdPartyInviteExchange(Parts parts) {
        this.p = parts;
    }

    /**
     * {@code PUT /_matrix/federation/v1/3pid/onbind}: each invite is redeemed; one that fails does
     * not stop the others, and the last failure is the answer, as in Synapse.
     */
    void onBind(JsonNode body) {
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        JsonNode invites = body.get("invites");
        if (invites == null) {
            return;
        }
        if (!invites.isArray()) {
            throw MatrixException.badJson("'invites' must be a list");
        }
        MatrixException last = null;
        for (JsonNode invite : invites) {
            try {
                redeem(fromOnBind(invite));
            } catch (MatrixException e) {
                LOG.info("Third-party invite not redeemed: {}", e.getMessage());
                last = e;
            }
        }
        if (last != null) {
            throw last;
        }
    }

    /**
     * {@code PUT /_matrix/federation/v1/exchange_third_party_invite/{roomId}}: the partial member
     * event another server was given; sent here if its sender is a user of this server.
     */
    void exchange(String roomId, JsonNode event) {
        if (event == null || !event.isObject() || !"m.room.member".equals(event.path("type").asText())) {
            throw MatrixException.badJson("The event must be an m.room.member");
        }
        if (!roomId.equals(event.path("room_id").asText())) {
            throw MatrixException.badJson("room_id must be the room of the path");
        }
        JsonNode content = event.path("content");
        if (!"invite".equals(content.path("membership").asText())) {
            throw MatrixException.badJson("The membership must be invite");
        }
        Redeem redeem = new Redeem(roomId, userId(event, "sender"), userId(event, "state_key"),
                signed(content.path("third_party_invite").get("signed")));
        if (!p.local().isLocalUser(redeem.sender())) {
            throw MatrixException.forbidden(redeem.sender() + " is not a user of this server");
        }
        if (!isInRoom(roomId)) {
            throw MatrixException.forbidden("This server is not in room " + roomId);
        }
        send(redeem);
    }

    private Redeem fromOnBind(JsonNode invite) {
        JsonNode signed = invite.get("signed");
        if (signed == null || !signed.isObject() || !signed.has("token")) {
            throw MatrixException.unknownBadRequest("Rejecting received notification of third-party invite without signed");
        }
        String roomId = invite.path("room_id").asText(null);
        if (roomId == null || !roomId.startsWith("!")) {
            throw MatrixException.badJson("The invite has no room_id");
        }
        return new Redeem(roomId, userId(invite, "sender"), userId(invite, "mxid"), (ObjectNode) signed);
    }

    /** A join with {@code third_party_signed} (client-server API, "Joining rooms"): the invite it redeems first. */
    @Override
    public void redeem(String roomId, String sender, String target, ObjectNode signed) {
        redeem(new Redeem(roomId, sender, target, signed(signed)));
    }

    private void redeem(Redeem redeem) {
        if (p.local().isLocalUser(redeem.sender()) && isInRoom(redeem.roomId())) {
            send(redeem);
        } else {
            forward(redeem);
        }
    }

    /** Checks the signed block against the room's invite and sends the member event. */
    private void send(Redeem redeem) {
        String token = redeem.signed().path("token").asText();
        Pdu invite = p.access().currentState(redeem.roomId(), StateKey.of(StateKey.THIRD_PARTY_INVITE, token));
        if (invite == null) {
            throw MatrixException.forbidden("Could not find invite");
        }
        ThirdPartyInviteKeys.PublicKey key = ThirdPartyInviteKeys.verifying(redeem.signed(), invite)
                .orElseThrow(() -> MatrixException.forbidden("No signature of the third-party invite's signed block"
                        + " verifies with a public key of the room's invite"));
        if (key.keyValidityUrl() != null) {
            p.identity().requireValidKey(key.keyValidityUrl(), key.base64());
        }
        ObjectNode content = JSON.objectNode().put("membership", "invite");
        ObjectNode thirdParty = content.putObject("third_party_invite");
        thirdParty.set("display_name", invite.content().get("display_name"));
        thirdParty.set("signed", redeem.signed());
        p.send().inviteRedeeming(redeem.roomId(), redeem.sender(), redeem.target(), content);
    }

    /**
     * Hands the invite to the inviter's server, then to the room's if its id names one: an
     * answer with an error status is final (as Synapse), an unreachable server makes the next be tried.
     */
    private void forward(Redeem redeem) {
        Set<String> destinations = new LinkedHashSet<>();
        destinations.add(Pdu.domainOf(redeem.sender()));
        String roomServer = Pdu.domainOf(redeem.roomId());
        if (!roomServer.isEmpty()) {
            destinations.add(roomServer);
        }
        destinations.remove(p.local().serverName());
        ObjectNode event = JSON.objectNode().put("type", "m.room.member").put("room_id", redeem.roomId())
                .put("sender", redeem.sender()).put("state_key", redeem.target());
        ObjectNode content = event.putObject("content").put("membership", "invite");
        content.putObject("third_party_invite").set("signed", redeem.signed());
        String path = "/_matrix/federation/v1/exchange_third_party_invite/" + FederationClient.encode(redeem.roomId());
        for (String destination : destinations) {
            try {
                p.client().send(destination, "PUT", path, event);
                return;
            } catch (FederationClientException e) {
                if (e.kind() == FederationClientException.Kind.HTTP_ERROR) {
                    throw refusal(destination, e);
                }
                LOG.info("Cannot exchange a third-party invite through {}: {}", destination, e.getMessage());
            }
        }
        throw MatrixException.of(ErrCode.M_UNKNOWN, "Failed to forward third party invite").withStatus(502);
    }

    private static MatrixException refusal(String destination, FederationClientException e) {
        ErrCode code;
        try {
            code = ErrCode.valueOf(e.errcode());
        } catch (IllegalArgumentException | NullPointerException unknown) {
            code = ErrCode.M_UNKNOWN;
        }
        return MatrixException.of(code, destination + " refused the third-party invite: " + e.getMessage())
                .withStatus(e.status());
    }

    private boolean isInRoom(String roomId) {
        return p.memberships().joinedServers(roomId).contains(p.local().serverName());
    }

    private static String userId(JsonNode json, String key) {
        String value = json.path(key).asText(null);
        if (value == null || !UserId.isValid(value)) {
            throw MatrixException.badJson("'" + key + "' must be a user id");
        }
        return value;
    }

    private static ObjectNode signed(JsonNode signed) {
        if (signed == null || !signed.isObject() || !signed.path("token").isTextual() || !signed.path("mxid").isTextual()) {
            throw MatrixException.badJson("third_party_invite.signed needs mxid, token and signatures");
        }
        return (ObjectNode) signed;
    }
}
