package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.id.UserId;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.MatrixException;
import org.myelin.server.identity.IdentityServers;

import java.util.Optional;

/**
 * Inviting by third-party identifier (client-server API, "Third-party invites"), as Synapse's
 * {@code do_3pid_invite}: the identity server the client names is asked whom the identifier is
 * bound to; a bound identifier is an ordinary invite of that user; otherwise the identity server
 * stores an invite and the room gets an {@code m.room.third_party_invite} event whose state key is
 * the token it will sign when the identifier is bound.
 */
public final class ThirdPartyInvites {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** What the client gave: the identity server, its access token there, the identifier. */
    public record Request(String idServer, String idAccessToken, String medium, String address) {
    }

    private final RoomActions actions;
    private final RoomAccess access;
    private final Memberships memberships;
    private final IdentityServers identity;
    private final ThirdPartyRedeemer redeemer;

    public ThirdPartyInvites(ClientRooms rooms, IdentityServers identity, ThirdPartyRedeemer redeemer) {
        this.actions = rooms.actions;
        this.access = rooms.access;
        this.memberships = rooms.memberships;
        this.identity = identity;
        this.redeemer = redeemer;
    }

    /**
     * Before a join with {@code third_party_signed} (client-server API, "Joining rooms"): the
     * third-party invite it names becomes the requester's invite, as Synapse does, so that the
     * join that follows is allowed. The block is what an identity server signed for the client
     * ({@code mxid}, {@code sender}, {@code token}, {@code signatures}).
     */
    public void redeemBeforeJoin(Requester requester, String roomId, JsonNode thirdPartySigned) {
        if (!(thirdPartySigned instanceof ObjectNode signed) || !signed.path("sender").isTextual()
                || !UserId.isValid(signed.get("sender").textValue())) {
            throw MatrixException.badJson("third_party_signed needs sender, mxid, token and signatures");
        }
        redeemer.redeem(roomId, signed.get("sender").textValue(), requester.userId(), signed);
    }

    /**
     * Invites {@code request}'s identifier to the room. Before asking anyone, as Synapse: the
     * sender may send and the room is not blocked; a shadow-banned sender is answered as if it
     * worked. The requester must be joined with the power to invite (the auth rules of
     * {@code m.room.third_party_invite}), so that no identity server keeps an invite the room refuses;
     * each invite counts against the sender's message rate limit.
     */
    public void invite(Requester requester, String roomId, Request request) {
        IdentityServers.requireValid(request.idServer());
        IdentityServers.requireValidAccessToken(request.idAccessToken());
        String sender = requester.userId();
        actions.restrictions().checkMaySend(sender);
        actions.restrictions().checkNotBlocked(roomId);
        access.head(roomId);
        if (actions.restrictions().isShadowBanned(sender)) {
            return;
        }
        if (!access.mayInvite(roomId, sender)) {
            throw MatrixException.forbidden("You don't have permission to invite users to room " + roomId);
        }
        // Before the identity server is asked, as Synapse's third-party invite limiter.
        actions.limitRate(sender);
        Optional<String> bound = identity.lookup(request.idServer(), request.idAccessToken(), request.medium(),
                request.address());
        if (bound.isPresent()) {
            memberships.invite(requester, roomId, bound.get(), null, false);
            return;
        }
        IdentityServers.StoredInvite stored = identity.storeInvite(request.idServer(), request.idAccessToken(),
                storeInviteBody(roomId, sender, request));
        ObjectNode content = JSON.objectNode().put("display_name", stored.displayName());
        content.putArray("public_keys").addAll(stored.publicKeys());
        // For clients and servers that know only the single key.
        content.set("key_validity_url", stored.fallbackKey().get("key_validity_url"));
        content.set("public_key", stored.fallbackKey().get("public_key"));
        actions.sendState(roomId, sender, StateKey.THIRD_PARTY_INVITE, stored.token(), content);
    }

    /** What {@code store-invite} is told: the identifier, the room and the inviter, for the message it sends. */
    private ObjectNode storeInviteBody(String roomId, String sender, Request request) {
        Pdu member = access.currentState(roomId, StateKey.of(StateKey.MEMBER, sender));
        String displayName = text(member, "displayname");
        Pdu create = access.currentState(roomId, StateKey.create());
        ObjectNode body = JSON.objectNode()
                .put("medium", request.medium())
                .put("address", request.address())
                .put("room_id", roomId)
                .put("room_alias", orEmpty(text(access.currentState(roomId, StateKey.of("m.room.canonical_alias", "")),
                        "alias")))
                .put("room_avatar_url", orEmpty(text(access.currentState(roomId, StateKey.of("m.room.avatar", "")),
                        "url")))
                .put("room_join_rules", orEmpty(text(access.currentState(roomId, StateKey.of(StateKey.JOIN_RULES, "")),
                        "join_rule")))
                .put("room_name", orEmpty(text(access.currentState(roomId, StateKey.of("m.room.name", "")), "name")))
                .put("sender", sender)
                .put("sender_display_name", displayName == null || displayName.isEmpty() ? sender : displayName)
                .put("sender_avatar_url", orEmpty(text(member, "avatar_url")));
        String roomType = text(create, "type");
        if (roomType != null) {
            body.put("room_type", roomType);
        }
        return body;
    }

    private static String text(Pdu event, String key) {
        JsonNode value = event == null ? null : event.content().get(key);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
