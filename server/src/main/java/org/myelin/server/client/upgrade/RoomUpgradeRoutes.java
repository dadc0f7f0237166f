package org.myelin.server.client.upgrade;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/** Room upgrades (client-server API, "Room Upgrades"). */
public final class RoomUpgradeRoutes implements Routes {

    /** The answer: the new room. */
    record Replacement(String replacementRoom) {
    }

    private final RoomUpgrades upgrades;
    private final Authenticator auth;

    public RoomUpgradeRoutes(RoomUpgrades upgrades, Authenticator auth) {
        this.upgrades = upgrades;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/rooms/:roomId/upgrade").handler(handlers.blocking(this::upgrade));
    }

    /**
     * {@code POST /_matrix/client/v3/rooms/{roomId}/upgrade} (client-server API, "Room Upgrades"):
     * {@code new_version}, {@code additional_creators}; answers {@code replacement_room}.
     */
    JsonResponse upgrade(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        String roomId = Params.roomId(ctx, "roomId");
        UpgradeRequest request = Json.bind(ctx, UpgradeRequest.class);
        return JsonResponse.ok(new Replacement(upgrades.upgrade(requester, roomId, request)));
    }
}
