package org.myelin.server.client.keys;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.client.sync.DeviceListChanges;
import org.myelin.server.client.sync.SyncResponse.DeviceLists;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.server.streams.Streams;
import org.myelin.server.streams.SyncToken;

/** Users whose device lists changed between two sync tokens (client-server API, "Key management API"). */
public final class KeyChangesRoutes implements Routes {

    private final Authenticator auth;
    private final DeviceListChanges changes;
    private final Streams streams;

    public KeyChangesRoutes(Authenticator auth, DeviceListChanges changes, Streams streams) {
        this.auth = auth;
        this.changes = changes;
        this.streams = streams;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v3/keys/changes").handler(handlers.blocking(this::changes));
    }

    /**
     * {@code GET /_matrix/client/v3/keys/changes?from&to} (client-server API, "Key management
     * API"): who changed their devices or keys, and who stopped sharing a room with the requester,
     * since {@code from}. As Synapse, changes after {@code to} are reported too ({@code to} is a
     * hint, and a later change is one the client wants anyway); it must still be a sync token.
     */
    JsonResponse changes(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        SyncToken from = token(ctx, "from", true);
        token(ctx, "to", false);
        DeviceLists lists = changes.between(requester.userId(), from, streams.current());
        return JsonResponse.ok(lists);
    }

    private static SyncToken token(RoutingContext ctx, String name, boolean required) {
        String value = Params.query(ctx, name);
        if (value == null || value.isEmpty()) {
            if (required) {
                throw MatrixException.missingParam("Missing '" + name + "' parameter");
            }
            return null;
        }
        try {
            return SyncToken.parse(value);
        } catch (IllegalArgumentException e) {
            throw MatrixException.invalidParam("Invalid '" + name + "' token");
        }
    }
}
