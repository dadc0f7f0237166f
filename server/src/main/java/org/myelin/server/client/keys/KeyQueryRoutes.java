package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/** Downloading users' device and cross-signing keys (client-server API, "Key management API"). */
public final class KeyQueryRoutes implements Routes {

    private final Authenticator auth;
    private final KeyQueries queries;

    KeyQueryRoutes(Authenticator auth, KeyQueries queries) {
        this.auth = auth;
        this.queries = queries;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/keys/query").handler(handlers.blocking(this::query));
    }

    /**
     * {@code POST /_matrix/client/v3/keys/query} (client-server API, "Key management API"): the
     * device keys and cross-signing keys of the users asked for; servers that could not be asked
     * are {@code failures}.
     */
    JsonResponse query(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        ObjectNode body = KeyRequests.body(ctx);
        return JsonResponse.ok(queries.query(requester.userId(), KeyQueries.devicesByUser(body),
                KeyRequests.timeoutMs(ctx, body)));
    }
}
