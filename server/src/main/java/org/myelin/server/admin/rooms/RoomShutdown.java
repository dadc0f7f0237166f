package org.myelin.server.admin.rooms;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.CreateRoomRequest;
import org.myelin.server.client.rooms.Memberships;
import org.myelin.server.client.rooms.RoomActions;
import org.myelin.server.client.rooms.RoomCreation;
import org.myelin.storage.rooms.AliasRepository;
import org.myelin.storage.rooms.BlockedRoomRepository;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.RoomDirectoryRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shuts a room down as Synapse's {@code RoomShutdownHandler.shutdown_room} does: blocks it if asked
 * (even a room this server does not know), makes the "content violation" room if a user to make it
 * is named, then each local member, invitee and knocker leaves the room and forgets it, joined
 * members joining the new room; the room's local aliases move to the new room (or are deleted when
 * there is none) and it leaves the published directory. Other servers' users are untouched.
 */
final class RoomShutdown {

    private static final Logger LOG = LoggerFactory.getLogger(RoomShutdown.class);

    /** What shutting down needs. */
    record Parts(BlockedRoomRepository blocked, RoomHeads heads, MembershipRepository memberships,
                 Memberships membershipChanges, RoomCreation creation, RoomActions actions, AliasRepository aliases,
                 RoomDirectoryRepository directory, LocalServer local, java.time.Clock clock) {
    }

    private final Parts p;

    RoomShutdown(Parts parts) {
        this.p = parts;
    }

    /** Shuts the room down; {@code progress} is told of each partial result, for the status endpoints. */
    ShutdownResult shutdown(String roomId, ShutdownRequest request, Consumer<ShutdownResult> progress) {
        if (request.block()) {
            p.blocked().block(roomId, request.requester());
        }
        if (p.heads().get(roomId).isEmpty()) {
            return ShutdownResult.NONE; // nothing more to do for a room this server does not know
        }
        String newRoomId = null;
        if (request.newRoomUserId() != null) {
            newRoomId = contentViolationRoom(request);
            progress.accept(new ShutdownResult(List.of(), List.of(), List.of(), newRoomId));
        }
        List<String> kicked = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String membership : List.of("join", "invite", "knock")) {
            for (MembershipRepository.Membership m : p.memberships().members(roomId, membership)) {
                if (!p.local().isLocalUser(m.userId())) {
                    continue;
                }
                if (moveOut(roomId, m.userId(), "join".equals(membership) ? newRoomId : null)) {
                    kicked.add(m.userId());
                } else {
                    failed.add(m.userId());
                }
                progress.accept(new ShutdownResult(kicked, failed, List.of(), newRoomId));
            }
        }
        List<String> aliases = p.aliases().ofRoom(roomId).stream().map(AliasRepository.Alias::alias).toList();
        if (newRoomId != null) {
            p.actions().submit(Input.LocalEvent.message(newRoomId, request.newRoomUserId(), "m.room.message",
                    message(request.message())));
            p.aliases().moveAll(roomId, newRoomId);
        } else {
            aliases.forEach(p.aliases()::delete);
        }
        p.directory().setVisibility(roomId, RoomDirectoryRepository.PRIVATE, p.clock().millis());
        return new ShutdownResult(kicked, failed, newRoomId == null ? List.of() : aliases, newRoomId);
    }

    boolean isLocal(String userId) {
        return p.local().isLocalUser(userId);
    }

    /** The public room members are moved to, where they cannot speak (users_default -10). */
    private String contentViolationRoom(ShutdownRequest request) {
        ObjectNode levels = JsonNodeFactory.instance.objectNode().put("users_default", -10);
        CreateRoomRequest create = new CreateRoomRequest(null, null, request.roomName(), null, null, null, null, null,
                null, "public_chat", null, levels);
        return p.creation().create(new Requester(request.newRoomUserId(), "", false, 0), create);
    }

    /** The user leaves the room and forgets it, then joins {@code newRoomId} if given; false if that failed. */
    private boolean moveOut(String roomId, String userId, String newRoomId) {
        Requester user = new Requester(userId, "", false, 0);
        try {
            p.membershipChanges().leave(user, roomId, null);
            p.membershipChanges().forget(user, roomId);
            if (newRoomId != null) {
                p.membershipChanges().join(user, newRoomId, List.of(), null);
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Failed to move {} out of {}: {}", userId, roomId, e.toString());
            return false;
        }
    }

    private static ObjectNode message(String body) {
        return JsonNodeFactory.instance.objectNode().put("msgtype", "m.text").put("body", body);
    }
}
