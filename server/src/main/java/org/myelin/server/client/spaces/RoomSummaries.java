package org.myelin.server.client.spaces;

import org.myelin.protocol.id.RoomAlias;
import org.myelin.protocol.id.RoomId;
import org.myelin.protocol.id.ServerName;
import org.myelin.rooms.LocalServer;
import org.myelin.server.client.directory.RemoteDirectory;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.rooms.MembershipRepository;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code GET /_matrix/client/v1/room_summary/{roomIdOrAlias}} (client-server API, "Room
 * Summaries"): a room this server is in from its state; another from a server in it, asked
 * through the federation hierarchy endpoint (the request's {@code via}, or the servers its alias
 * names). Shown to whoever {@link LocalSummaries} lets see it (an unauthenticated requester: a
 * public, knockable or world readable room); any other room is 404, as if unknown. An
 * authenticated requester gets their membership ({@code leave} when they have none).
 */
public final class RoomSummaries {

    private final LocalSummaries local;
    private final RemoteHierarchy remote;
    private final MembershipRepository memberships;
    private final Function<String, RemoteDirectory.Resolved> aliases;
    private final LocalServer server;

    /** @param aliases resolves a room alias (of any server; 404 when unknown) */
    public RoomSummaries(LocalSummaries local, RemoteHierarchy remote, MembershipRepository memberships,
                         Function<String, RemoteDirectory.Resolved> aliases, LocalServer server) {
        this.local = local;
        this.remote = remote;
        this.memberships = memberships;
        this.aliases = aliases;
        this.server = server;
    }

    /** The summary for {@code userId} (null: unauthenticated); 404 M_NOT_FOUND when not to be seen. */
    public RoomSummary summary(String userId, String roomIdOrAlias, List<String> via) {
        String roomId;
        List<String> servers;
        if (RoomId.isValid(roomIdOrAlias)) {
            roomId = roomIdOrAlias;
            servers = via;
        } else if (RoomAlias.isValid(roomIdOrAlias)) {
            RemoteDirectory.Resolved resolved = aliases.apply(roomIdOrAlias);
            roomId = resolved.roomId();
            servers = resolved.servers();
        } else {
            throw MatrixException.invalidParam(roomIdOrAlias + " is neither a room id nor a room alias");
        }
        RoomSummary summary;
        if (local.isJoinedHere(roomId)) {
            summary = local.summary(roomId).filter(s -> local.visibleTo(roomId, userId))
                    .orElseThrow(RoomSummaries::notFound);
        } else {
            summary = remote.hierarchy(roomId, toAsk(roomId, servers), true)
                    .map(RemoteHierarchy.RemoteSpace::room)
                    .filter(room -> local.describedRoomVisibleTo(room, userId))
                    .orElseThrow(RoomSummaries::notFound);
        }
        return summary.withMembership(userId == null ? null : memberships.of(roomId, userId)
                .map(MembershipRepository.Membership::membership).orElse("leave"));
    }

    /**
     * The servers to ask about a room this server is not in: those given, else the one of the
     * room id (rooms before version 12 name their creator's), never this one, at most three.
     */
    private List<String> toAsk(String roomId, List<String> given) {
        Set<String> servers = new LinkedHashSet<>(given);
        if (servers.isEmpty()) {
            RoomId.parse(roomId).domain().map(ServerName::toString).ifPresent(servers::add);
        }
        servers.remove(server.serverName());
        List<String> ask = new ArrayList<>(servers);
        return List.copyOf(ask.subList(0, Math.min(SpaceHierarchy.MAX_VIA, ask.size())));
    }

    private static MatrixException notFound() {
        return MatrixException.notFound("Room not found or is not accessible");
    }
}
