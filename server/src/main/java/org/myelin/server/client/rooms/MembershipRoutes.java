package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.id.RoomAlias;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.directory.RemoteDirectory;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.rooms.MembershipRepository;

import java.util.ArrayList;
import java.util.List;

/** Room membership (client-server API, "Room membership": joining, inviting, leaving, kicking, banning). */
public final class MembershipRoutes implements Routes {

    private static final String ROOM = "/_matrix/client/v3/rooms/:roomId";

    /** A body with only an optional reason (leave). */
    record ReasonBody(String reason) {
    }

    /** The body of invite, kick, ban and unban. */
    record TargetBody(String userId, String reason) {
        TargetBody {
            if (userId == null) {
                throw MatrixException.missingParam("Missing user_id");
            }
        }
    }

    /**
     * The body of invite: a user id, or (client-server API, "Third-party invites") a medium and
     * address with the identity server to ask and the client's access token there.
     */
    record InviteBody(String userId, String reason, String idServer, String idAccessToken, String medium,
                      String address) {
        boolean isThirdParty() {
            return medium != null && address != null;
        }
    }

    record RoomIdResponse(String roomId) {
    }

    record JoinedRoomsResponse(List<String> joinedRooms) {
    }

    private final ClientRooms rooms;
    private final Authenticator auth;
    private final ThirdPartyInvites thirdPartyInvites;

    public MembershipRoutes(ClientRooms rooms, Authenticator auth, ThirdPartyInvites thirdPartyInvites) {
        this.rooms = rooms;
        this.auth = auth;
        this.thirdPartyInvites = thirdPartyInvites;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post(ROOM + "/join").handler(handlers.blocking(this::joinRoom));
        router.post("/_matrix/client/v3/join/:roomIdOrAlias").handler(handlers.blocking(this::join));
        router.post(ROOM + "/invite").handler(handlers.blocking(this::invite));
        router.post(ROOM + "/leave").handler(handlers.blocking(this::leave));
        router.post(ROOM + "/forget").handler(handlers.blocking(this::forget));
        router.post(ROOM + "/kick").handler(handlers.blocking(this::kick));
        router.post(ROOM + "/ban").handler(handlers.blocking(this::ban));
        router.post(ROOM + "/unban").handler(handlers.blocking(this::unban));
        router.get("/_matrix/client/v3/joined_rooms").handler(handlers.blocking(this::joinedRooms));
    }

    /**
     * {@code POST /_matrix/client/v3/rooms/{roomId}/join} (client-server API, "Joining rooms"):
     * the body's {@code reason} and other keys go into the member event, as Synapse does; a
     * {@code third_party_signed} is redeemed for an invite first ("Third-party invites").
     */
    JsonResponse joinRoom(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        String roomId = Params.roomId(ctx, "roomId");
        ObjectNode body = Params.optionalObject(ctx, Json.BodyKind.KEPT_AS_TEXT);
        redeemThirdPartyInvite(requester, roomId, body);
        rooms.memberships.join(requester, roomId, List.of(), body);
        return JsonResponse.ok(new RoomIdResponse(roomId));
    }

    /**
     * {@code POST /_matrix/client/v3/join/{roomIdOrAlias}} (client-server API, "Joining rooms"):
     * an alias is resolved first; {@code via} (and the deprecated {@code server_name}) name servers
     * to join through when this server is not in the room. The body as for {@code /rooms/{roomId}/join}.
     */
    JsonResponse join(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        String target = Params.path(ctx, "roomIdOrAlias");
        ObjectNode body = Params.optionalObject(ctx, Json.BodyKind.KEPT_AS_TEXT);
        List<String> via = new ArrayList<>(Params.queryAll(ctx, "via"));
        via.addAll(Params.queryAll(ctx, "server_name"));
        String roomId;
        if (target.startsWith("#")) {
            if (!RoomAlias.isValid(target)) {
                throw MatrixException.invalidParam("Invalid room alias: " + target);
            }
            RemoteDirectory.Resolved resolved = rooms.aliases.resolve(target);
            roomId = resolved.roomId();
            via.addAll(resolved.servers());
        } else {
            roomId = Params.roomId(ctx, "roomIdOrAlias");
        }
        redeemThirdPartyInvite(requester, roomId, body);
        rooms.memberships.join(requester, roomId, via, body);
        return JsonResponse.ok(new RoomIdResponse(roomId));
    }

    /** A join body's {@code third_party_signed}, if any, is redeemed for an invite first. */
    private void redeemThirdPartyInvite(Requester requester, String roomId, ObjectNode body) {
        if (body != null && body.has("third_party_signed")) {
            thirdPartyInvites.redeemBeforeJoin(requester, roomId, body.get("third_party_signed"));
        }
    }

    /**
     * {@code POST /_matrix/client/v3/rooms/{roomId}/invite} (client-server API, "Inviting", and
     * "Third-party invites" when the body has {@code medium} and {@code address}: then
     * {@code id_server} and {@code id_access_token} are required, 400 M_MISSING_PARAM as Synapse).
     */
    JsonResponse invite(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        InviteBody body = Json.bind(ctx, InviteBody.class, Json.BodyKind.KEPT_AS_TEXT);
        String roomId = Params.roomId(ctx, "roomId");
        if (body.isThirdParty()) {
            if (body.idServer() == null || body.idAccessToken() == null) {
                throw MatrixException.missingParam("`id_server` and `id_access_token` are required when doing 3pid invite");
            }
            thirdPartyInvites.invite(requester, roomId, new ThirdPartyInvites.Request(body.idServer(),
                    body.idAccessToken(), body.medium(), body.address()));
            return JsonResponse.empty();
        }
        if (body.userId() == null) {
            throw MatrixException.missingParam("Missing user_id");
        }
        rooms.memberships.invite(requester, roomId, body.userId(), body.reason(), false);
        return JsonResponse.empty();
    }

    /** {@code POST /_matrix/client/v3/rooms/{roomId}/leave} (client-server API, "Leaving rooms"). */
    JsonResponse leave(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        ReasonBody body = Params.optionalBody(ctx, ReasonBody.class, Json.BodyKind.KEPT_AS_TEXT);
        rooms.memberships.leave(requester, Params.roomId(ctx, "roomId"), body == null ? null : body.reason());
        return JsonResponse.empty();
    }

    /** {@code POST /_matrix/client/v3/rooms/{roomId}/forget} (client-server API, "Leaving rooms"). */
    JsonResponse forget(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        rooms.memberships.forget(requester, Params.roomId(ctx, "roomId"));
        return JsonResponse.empty();
    }

    /** {@code POST /_matrix/client/v3/rooms/{roomId}/kick} (client-server API, "Leaving rooms"). */
    JsonResponse kick(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        TargetBody body = Json.bind(ctx, TargetBody.class, Json.BodyKind.KEPT_AS_TEXT);
        rooms.memberships.kick(requester, Params.roomId(ctx, "roomId"), body.userId(), body.reason());
        return JsonResponse.empty();
    }

    /** {@code POST /_matrix/client/v3/rooms/{roomId}/ban} (client-server API, "Banning users in a room"). */
    JsonResponse ban(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        TargetBody body = Json.bind(ctx, TargetBody.class, Json.BodyKind.KEPT_AS_TEXT);
        rooms.memberships.ban(requester, Params.roomId(ctx, "roomId"), body.userId(), body.reason());
        return JsonResponse.empty();
    }

    /** {@code POST /_matrix/client/v3/rooms/{roomId}/unban} (client-server API, "Banning users in a room"). */
    JsonResponse unban(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        TargetBody body = Json.bind(ctx, TargetBody.class, Json.BodyKind.KEPT_AS_TEXT);
        rooms.memberships.unban(requester, Params.roomId(ctx, "roomId"), body.userId(), body.reason());
        return JsonResponse.empty();
    }

    /** {@code GET /_matrix/client/v3/joined_rooms} (client-server API, "Room membership"). */
    JsonResponse joinedRooms(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        List<String> joined = rooms.access.joinedRooms(requester.userId()).stream()
                .map(MembershipRepository.Membership::roomId).toList();
        return JsonResponse.ok(new JoinedRoomsResponse(joined));
    }
}
