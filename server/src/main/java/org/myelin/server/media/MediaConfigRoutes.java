package org.myelin.server.media;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/** The content repository's configuration as clients see it (client-server API, "Content repository"). */
public final class MediaConfigRoutes implements Routes {

    /** The answer: the largest upload, in bytes. */
    record MediaConfig(@JsonProperty("m.upload.size") long uploadSize) {}

    private final MediaConfig config;
    private final Authenticator auth;

    public MediaConfigRoutes(long maxUploadSize, Authenticator auth) {
        this.config = new MediaConfig(maxUploadSize);
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v1/media/config").handler(handlers.blocking(this::config));
        for (String version : new String[] {"v3", "r0", "v1"}) {
            router.get("/_matrix/media/" + version + "/config").handler(handlers.blocking(this::config));
        }
    }

    /**
     * {@code GET /_matrix/client/v1/media/config} (added in v1.11) and the deprecated
     * {@code GET /_matrix/media/v3/config}: both need an access token, as in the spec.
     */
    JsonResponse config(RoutingContext ctx) {
        auth.require(ctx);
        return JsonResponse.ok(config);
    }
}
