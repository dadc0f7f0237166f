package org.myelin.server.client.spaces;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** The space hierarchy (client-server API, "Spaces"). */
public final class HierarchyRoutes implements Routes {

    private final SpaceHierarchy hierarchy;
    private final Authenticator auth;

    public HierarchyRoutes(SpaceHierarchy hierarchy, Authenticator auth) {
        this.hierarchy = hierarchy;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v1/rooms/:roomId/hierarchy").handler(handlers.blocking(this::hierarchy));
    }

    /**
     * {@code GET /_matrix/client/v1/rooms/{roomId}/hierarchy} (client-server API, "Spaces"):
     * {@code suggested_only}, {@code max_depth}, {@code limit}, {@code from}; guests too, as Synapse.
     */
    JsonResponse hierarchy(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        SpaceHierarchy.Request request = new SpaceHierarchy.Request(flag(ctx, "suggested_only"),
                Params.queryInt(ctx, "max_depth"), Params.queryInt(ctx, "limit"), Params.query(ctx, "from"));
        return JsonResponse.ok(hierarchy.page(requester.userId(), Params.roomId(ctx, "roomId"), request));
    }

    /** A boolean query parameter: {@code true} or {@code false} (absent: false); 400 M_INVALID_PARAM otherwise. */
    static boolean flag(RoutingContext ctx, String name) {
        String value = Params.query(ctx, name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw MatrixException.invalidParam(name + " must be true or false");
    }
}
