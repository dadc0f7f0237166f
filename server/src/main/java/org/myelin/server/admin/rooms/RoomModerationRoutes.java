package org.myelin.server.admin.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.myelin.protocol.auth.PowerLevels;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.id.RoomId;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.admin.AdminParams;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.directory.RoomAliases;
import org.myelin.server.client.rooms.Memberships;
import org.myelin.server.client.rooms.RoomActions;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.rooms.events.EventCache;
import org.myelin.storage.rooms.BlockedRoomRepository;
import org.myelin.storage.rooms.MembershipRepository;

/**
 * Blocking rooms and making a user a room's admin (Synapse's admin API, "Block Room API", "Make
 * Room Admin API").
 */
public final class RoomModerationRoutes implements Routes {

    record Block(boolean block, String userId) {}

    /** What these routes need. */
    record Parts(AdminAuth auth, BlockedRoomRepository blocked, RoomHeads heads, EventCache events,
                 MembershipRepository memberships, Memberships membershipChanges, RoomActions actions,
                 RoomAliases aliases, LocalServer local) {
    }

    private final Parts p;

    RoomModerationRoutes(Parts parts) {
        this.p = parts;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_synapse/admin/v1/rooms/:roomId/block").handler(handlers.blocking(this::blockStatus));
        router.put("/_synapse/admin/v1/rooms/:roomId/block").handler(handlers.blocking(this::block));
        router.post("/_synapse/admin/v1/rooms/:roomId/make_room_admin").handler(handlers.blocking(this::makeAdmin));
    }

    /** {@code GET /_synapse/admin/v1/rooms/{roomId}/block}: {@code block} and, if blocked, who did it. */
    JsonResponse blockStatus(RoutingContext ctx) {
        p.auth().requireAdmin(ctx);
        String roomId = legalRoomId(ctx);
        return JsonResponse.ok(p.blocked().blockedBy(roomId).map(by -> new Block(true, by))
                .orElse(new Block(false, null)));
    }

    /** {@code PUT /_synapse/admin/v1/rooms/{roomId}/block}: {@code {"block": bool}}, also for rooms unknown here. */
    JsonResponse block(RoutingContext ctx) {
        Requester admin = p.auth().requireAdmin(ctx);
        String roomId = legalRoomId(ctx);
        JsonNode block = Json.parseBody(ctx).get("block");
        if (block == null || !block.isBoolean()) {
            throw MatrixException.badJson("Param 'block' must be a boolean.");
        }
        if (block.asBoolean()) {
            p.blocked().block(roomId, admin.userId());
        } else {
            p.blocked().unblock(roomId);
        }
        return JsonResponse.ok(new Block(block.asBoolean(), null));
    }

    /**
     * {@code POST /_synapse/admin/v1/rooms/{roomIdOrAlias}/make_room_admin}: gives {@code user_id}
     * (the admin by default) the power of the most powerful local member, who sends the new power
     * levels; the user is invited first if the room is not public and they are not in it.
     */
    JsonResponse makeAdmin(RoutingContext ctx) {
        Requester admin = p.auth().requireAdmin(ctx);
        String roomId = roomIdOrAlias(ctx.pathParam("roomId"));
        JsonNode body = Json.parseBody(ctx);
        JsonNode target = body.get("user_id");
        String userId = target == null || target.isNull() ? admin.userId() : target.asText();
        if (!target(target) || !AdminParams.isLocal(userId, p.local().serverName())) {
            throw MatrixException.unknownBadRequest("Only local users can be admins of this room");
        }
        RoomHead head = p.heads().get(roomId).orElseThrow(() -> MatrixException.notFound("Room not found"));
        Map<StateKey, String> state = head.currentState();
        Pdu create = event(state, StateKey.CREATE);
        Pdu levelsEvent = event(state, StateKey.POWER_LEVELS);
        PowerLevels levels = PowerLevels.of(head.version().auth(), levelsEvent, create);
        String granter = mostPowerfulLocalMember(roomId, levels);
        long level = Math.min(levels.userLevel(granter), highestWritten(levelsEvent));
        String membership = p.memberships().of(roomId, userId).map(MembershipRepository.Membership::membership)
                .orElse(null);
        if (!"join".equals(membership) && !"invite".equals(membership) && !isPublic(state)) {
            p.membershipChanges().invite(new Requester(granter, "", false, 0), roomId, userId, null, false);
        }
        ObjectNode content = levelsEvent == null ? Json.MAPPER.createObjectNode() : levelsEvent.content().deepCopy();
        ObjectNode users = content.has("users") && content.get("users").isObject()
                ? (ObjectNode) content.get("users") : content.putObject("users");
        users.put(userId, level);
        p.actions().sendState(roomId, granter, StateKey.POWER_LEVELS, "", content);
        return JsonResponse.empty();
    }

    private static boolean target(JsonNode target) {
        return target == null || target.isNull() || target.isTextual()
                && org.myelin.protocol.id.UserId.isValid(target.asText());
    }

    /** The joined local member with the highest power (a creator of a v12 room above all). */
    private String mostPowerfulLocalMember(String roomId, PowerLevels levels) {
        List<String> joined = new ArrayList<>();
        for (MembershipRepository.Membership m : p.memberships().members(roomId, "join")) {
            if (p.local().isLocalUser(m.userId()) && levels.userLevel(m.userId()) > 0) {
                joined.add(m.userId());
            }
        }
        return joined.stream().max(Comparator.comparingLong(levels::userLevel))
                .orElseThrow(() -> MatrixException.unknownBadRequest("No local admin user in room"));
    }

    /** The highest level the power levels event writes (100 without one): what a v12 creator's power grants. */
    private static long highestWritten(Pdu levelsEvent) {
        long highest = 100;
        if (levelsEvent != null) {
            for (JsonNode level : levelsEvent.content().path("users")) {
                if (level.canConvertToLong()) {
                    highest = Math.max(highest, level.asLong());
                }
            }
        }
        return highest;
    }

    private boolean isPublic(Map<StateKey, String> state) {
        Pdu rules = event(state, StateKey.JOIN_RULES);
        return rules != null && "public".equals(rules.content().path("join_rule").asText());
    }

    private Pdu event(Map<StateKey, String> state, String type) {
        String id = state.get(StateKey.of(type, ""));
        return id == null ? null : p.events().get(id);
    }

    private String roomIdOrAlias(String value) {
        if (value != null && value.startsWith("#")) {
            return p.aliases().resolve(value).roomId();
        }
        if (value == null || !RoomId.isValid(value)) {
            throw MatrixException.unknownBadRequest(value + " was not legal room ID or room alias");
        }
        return value;
    }

    private static String legalRoomId(RoutingContext ctx) {
        String roomId = ctx.pathParam("roomId");
        if (!RoomId.isValid(roomId)) {
            throw MatrixException.unknownBadRequest(roomId + " is not a legal room ID");
        }
        return roomId;
    }
}
