package org.myelin.server.media.preview;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import org.myelin.protocol.id.UserId;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/**
 * URL previews (client-server API, "Content repository"): the authenticated
 * {@code GET /_matrix/client/v1/media/preview_url}, and the deprecated
 * {@code GET /_matrix/media/v3/preview_url} (with Synapse's r0 and v1 aliases), which needs an
 * access token too. While {@code media.url_preview.enabled} is off both answer 403
 * {@code M_FORBIDDEN}, as Synapse does under MSC4452 (without it, Synapse answers 404
 * {@code M_UNRECOGNIZED}, which a client cannot tell from an endpoint it does not know, and
 * which would make the endpoint look unimplemented).
 */
public final class UrlPreviewRoutes implements Routes {

    private final UrlPreviews previews;
    private final Authenticator auth;
    private final Clock clock;

    public UrlPreviewRoutes(UrlPreviews previews, Authenticator auth, Clock clock) {
        this.previews = previews;
        this.auth = auth;
        this.clock = clock;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v1/media/preview_url").handler(handlers.blocking(this::preview));
        for (String version : new String[] {"v3", "r0", "v1"}) {
            router.get("/_matrix/media/" + version + "/preview_url").handler(handlers.blocking(this::preview));
        }
    }

    /**
     * {@code GET /_matrix/client/v1/media/preview_url?url=&ts=} (client-server API, "Content
     * repository", added in v1.11): the Open Graph data of {@code url}, as of {@code ts} if kept.
     */
    JsonResponse preview(RoutingContext ctx) {
        UserId requester = UserId.parse(auth.require(ctx).userId());
        if (!previews.enabled()) {
            throw MatrixException.forbidden("URL previews are disabled");
        }
        String url = ctx.request().getParam("url");
        if (url == null || url.isEmpty()) {
            throw MatrixException.missingParam("Missing string query parameter url");
        }
        return JsonResponse.ok(previews.preview(url, requester, ts(ctx)));
    }

    private long ts(RoutingContext ctx) {
        String value = ctx.request().getParam("ts");
        if (value == null) {
            return clock.millis();
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("Query parameter ts must be an integer");
        }
    }
}
