package org.myelin.server.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.id.RoomAlias;
import org.myelin.rooms.LocalServer;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.directory.RemoteDirectory;
import org.myelin.server.client.rooms.ClientRooms;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.rooms.MembershipRepository;

import java.util.ArrayList;
import java.util.List;

/**
 * Knocking (client-server API, "Knocking on rooms"): a room this server is in takes the knock
 * through the pipeline; any other through the knock handshake with a server that is in it
 * (server-server API, "Knocking upon a room").
 */
final class KnockRoutes implements Routes {

    /** The body: an optional reason. */
    record KnockBody(String reason) {
    }

    record RoomIdResponse(String roomId) {
    }

    private final ClientRooms rooms;
    private final MembershipRepository memberships;
    private final FederatedMemberships remote;
    private final LocalServer local;
    private final Authenticator auth;

    KnockRoutes(ClientRooms rooms, MembershipRepository memberships, FederatedMemberships remote, LocalServer local,
                Authenticator auth) {
        this.rooms = rooms;
        this.memberships = memberships;
        this.remote = remote;
        this.local = local;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/knock/:roomIdOrAlias").handler(handlers.blocking(this::knock));
    }

    /**
     * {@code POST /_matrix/client/v3/knock/{roomIdOrAlias}?via=…}: an alias is resolved first;
     * {@code via} (and the deprecated {@code server_name}) name servers to knock through.
     */
    JsonResponse knock(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        String target = Params.path(ctx, "roomIdOrAlias");
        KnockBody body = Params.optionalBody(ctx, KnockBody.class);
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
        ObjectNode content = Json.MAPPER.createObjectNode().put("membership", "knock");
        if (body != null && body.reason() != null) {
            content.put("reason", body.reason());
        }
        if (memberships.joinedServers(roomId).contains(local.serverName())) {
            rooms.actions.sendState(roomId, requester.userId(), StateKey.MEMBER, requester.userId(), content);
        } else {
            remote.knock(roomId, requester.userId(), via, content);
        }
        return JsonResponse.ok(new RoomIdResponse(roomId));
    }
}
