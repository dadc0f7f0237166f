package org.myelin.server.client.keys;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

import java.util.Map;

/** Uploading a device's keys (client-server API, "End-to-End Encryption", "Key management API"). */
public final class KeyUploadRoutes implements Routes {

    record UploadResponse(Map<String, Integer> oneTimeKeyCounts) {
    }

    private final Authenticator auth;
    private final KeyUploads uploads;

    KeyUploadRoutes(Authenticator auth, KeyUploads uploads) {
        this.auth = auth;
        this.uploads = uploads;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/keys/upload").handler(handlers.blocking(this::upload));
    }

    /**
     * {@code POST /_matrix/client/v3/keys/upload} (client-server API, "Key management API"): the
     * requester's device publishes its device keys, one-time keys and fallback keys; the answer is
     * the device's count of unclaimed one-time keys per algorithm.
     */
    JsonResponse upload(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        return JsonResponse.ok(new UploadResponse(uploads.upload(requester, KeyRequests.body(ctx))));
    }
}
