package org.myelin.server.appservice;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.appservice.AppServiceRoomListRepository;

/**
 * The room directories of application services' third-party networks (client-server API,
 * "Room directory"): a service publishes rooms in them, as Synapse's
 * {@code ClientAppserviceDirectoryListServer}.
 */
public final class AppServiceRoomListRoutes implements Routes {

    private static final String PATH = "/_matrix/client/v3/directory/list/appservice/:networkId/:roomId";

    private final Authenticator auth;
    private final AppServiceRoomListRepository roomList;

    AppServiceRoomListRoutes(Authenticator auth, AppServiceRoomListRepository roomList) {
        this.auth = auth;
        this.roomList = roomList;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.put(PATH).handler(handlers.blocking(this::put));
        router.delete(PATH).handler(handlers.blocking(this::delete));
    }

    /**
     * {@code PUT /_matrix/client/v3/directory/list/appservice/{networkId}/{roomId}}: {@code visibility}
     * {@code public} (the default) or {@code private}; only with an application service's token
     * (403 otherwise), 400 {@code M_INVALID_PARAM} for another visibility.
     */
    JsonResponse put(RoutingContext ctx) {
        Requester requester = appService(ctx);
        JsonNode body = Json.parseBody(ctx);
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        JsonNode visibility = body.get("visibility");
        String value = visibility == null || visibility.isNull() ? "public" : visibility.asText(null);
        if (!"public".equals(value) && !"private".equals(value)) {
            throw MatrixException.invalidParam("Invalid visibility setting");
        }
        return edit(ctx, requester, "public".equals(value));
    }

    /** {@code DELETE …/directory/list/appservice/{networkId}/{roomId}}: as {@code private}. */
    JsonResponse delete(RoutingContext ctx) {
        return edit(ctx, appService(ctx), false);
    }

    private Requester appService(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        if (!requester.isAppService()) {
            throw MatrixException.forbidden("Only appservices can edit the appservice published room list");
        }
        return requester;
    }

    private JsonResponse edit(RoutingContext ctx, Requester requester, boolean published) {
        String roomId = Params.roomId(ctx, "roomId");
        roomList.publish(requester.appServiceId(), Params.path(ctx, "networkId"), roomId, published);
        return JsonResponse.empty();
    }
}
