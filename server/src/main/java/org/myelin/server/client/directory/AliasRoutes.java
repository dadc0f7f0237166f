package org.myelin.server.client.directory;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.ClientRooms;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

import java.util.List;

/** Room aliases (client-server API, "Room aliases"). */
public final class AliasRoutes implements Routes {

    private static final String ALIAS = "/_matrix/client/v3/directory/room/:roomAlias";

    record AliasBody(String roomId) {
        AliasBody {
            if (roomId == null) {
                throw MatrixException.missingParam("Missing room_id");
            }
        }
    }

    record ResolvedResponse(String roomId, List<String> servers) {
    }

    record AliasesResponse(List<String> aliases) {
    }

    private final ClientRooms rooms;
    private final Authenticator auth;

    public AliasRoutes(ClientRooms rooms, Authenticator auth) {
        this.rooms = rooms;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.put(ALIAS).handler(handlers.blocking(this::putAlias));
        router.get(ALIAS).handler(handlers.blocking(this::getAlias));
        router.delete(ALIAS).handler(handlers.blocking(this::deleteAlias));
        router.get("/_matrix/client/v3/rooms/:roomId/aliases").handler(handlers.blocking(this::roomAliases));
    }

    /** {@code PUT /_matrix/client/v3/directory/room/{roomAlias}} (client-server API, "Room aliases"). */
    JsonResponse putAlias(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        AliasBody body = Json.bind(ctx, AliasBody.class);
        rooms.aliases.create(requester, Params.path(ctx, "roomAlias"), body.roomId());
        return JsonResponse.empty();
    }

    /** {@code GET /_matrix/client/v3/directory/room/{roomAlias}} (client-server API, "Room aliases"); no auth. */
    JsonResponse getAlias(RoutingContext ctx) {
        RemoteDirectory.Resolved resolved = rooms.aliases.resolve(Params.path(ctx, "roomAlias"));
        return JsonResponse.ok(new ResolvedResponse(resolved.roomId(), resolved.servers()));
    }

    /** {@code DELETE /_matrix/client/v3/directory/room/{roomAlias}} (client-server API, "Room aliases"). */
    JsonResponse deleteAlias(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        rooms.aliases.delete(requester, Params.path(ctx, "roomAlias"));
        return JsonResponse.empty();
    }

    /** {@code GET /_matrix/client/v3/rooms/{roomId}/aliases} (client-server API, "Room aliases"). */
    JsonResponse roomAliases(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        return JsonResponse.ok(new AliasesResponse(rooms.aliases.ofRoom(requester, Params.roomId(ctx, "roomId"))));
    }
}
