package org.myelin.server.media;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.MxcUri;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.http.FileResponse;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.server.media.thumbnail.ThumbnailMethod;

/**
 * Thumbnails from the content repository (client-server API, "Content repository",
 * "Thumbnails"): the authenticated {@code /_matrix/client/v1/media/thumbnail}, and the deprecated
 * unauthenticated {@code /_matrix/media/v3/thumbnail} (with Synapse's r0 and v1 aliases), which
 * serves only thumbnails of media uploaded while authenticated media was off, as its download
 * does. Other servers' media not cached here is thumbnailed by its origin ({@link OriginThumbnails});
 * other media is found as a download finds it ({@link MediaDownloads}), then its thumbnail made
 * here ({@link Thumbnails}).
 */
public final class ThumbnailRoutes implements Routes {

    private final MediaDownloads downloads;
    private final Thumbnails thumbnails;
    private final OriginThumbnails origins;
    private final Authenticator auth;

    public ThumbnailRoutes(MediaDownloads downloads, Thumbnails thumbnails, OriginThumbnails origins,
                           Authenticator auth) {
        this.downloads = downloads;
        this.thumbnails = thumbnails;
        this.origins = origins;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v1/media/thumbnail/:serverName/:mediaId")
                .handler(handlers.blockingFile(this::thumbnail));
        for (String version : new String[] {"v3", "r0", "v1"}) {
            router.get("/_matrix/media/" + version + "/thumbnail/:serverName/:mediaId")
                    .handler(handlers.blockingFile(this::thumbnailUnauthenticated));
        }
    }

    /**
     * {@code GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}} (client-server API,
     * "Content repository", added in v1.11): guests too, as Synapse.
     */
    FileResponse thumbnail(RoutingContext ctx) throws Exception {
        auth.require(ctx, true);
        return serve(ctx, false);
    }

    /**
     * {@code GET /_matrix/media/v3/thumbnail/{serverName}/{mediaId}} (client-server API, "Content
     * repository", deprecated in v1.11): no access token; 404 for media uploaded while
     * {@code media.enable_authenticated_media} was on.
     */
    FileResponse thumbnailUnauthenticated(RoutingContext ctx) throws Exception {
        return serve(ctx, true);
    }

    private FileResponse serve(RoutingContext ctx, boolean unauthenticated) throws Exception {
        String server = ctx.pathParam("serverName");
        if (!ServerName.isValid(server)) {
            throw MatrixException.invalidParam("Invalid server name: " + server);
        }
        // The query is checked before the media is looked up, as Synapse does.
        Thumbnails.Request request = request(ctx);
        long timeoutMs = DownloadRoutes.timeoutMs(ctx);
        String mediaId = ctx.pathParam("mediaId");
        if (!MediaId.isValid(mediaId)) {
            throw MatrixException.notFound("Not found");
        }
        boolean allowRemote = !"false".equals(ctx.request().getParam("allow_remote"));
        MxcUri media = new MxcUri(ServerName.parse(server), MediaId.parse(mediaId));
        Thumbnails.Served thumbnail = null;
        if (downloads.fetchesRemote(media.server(), unauthenticated, allowRemote)) {
            switch (origins.thumbnail(media, request, timeoutMs)) {
                case OriginThumbnails.Outcome.Served served -> thumbnail = served.thumbnail();
                case OriginThumbnails.Outcome.NotFound notFound -> throw MatrixException.notFound("Not found");
                case OriginThumbnails.Outcome.FromMedia fromMedia -> { }
            }
        }
        if (thumbnail == null) {
            MediaDownloads.Servable source = downloads.find(media.server(), media.mediaId(), unauthenticated,
                    allowRemote, timeoutMs);
            thumbnail = thumbnails.thumbnail(media, source, request);
        }
        // The spec: "inline", with a file name such as thumbnail.png.
        Map<String, String> headers = MediaHeaders.of(thumbnail.contentType(),
                "thumbnail." + thumbnail.contentType().substring("image/".length()));
        return DownloadRoutes.respond(ctx, headers, thumbnail.file(), thumbnail.size());
    }

    /**
     * The thumbnail asked for by a request's query ({@code width}, {@code height}, {@code method},
     * {@code animated}), as clients and other servers ask for one: 400 when a parameter is wrong.
     */
    public static Thumbnails.Request request(RoutingContext ctx) {
        return new Thumbnails.Request(dimension(ctx, "width"), dimension(ctx, "height"), method(ctx), animated(ctx));
    }

    /** {@code width} or {@code height}: a positive integer (one past {@code int} is as large as any image). */
    private static int dimension(RoutingContext ctx, String name) {
        String value = ctx.request().getParam(name);
        if (value == null) {
            throw MatrixException.missingParam("Missing required integer query parameter " + name);
        }
        long number;
        try {
            number = Long.parseLong(value);
        } catch (NumberFormatException e) {
            if (value.matches("\\+?[0-9]+")) {
                return Integer.MAX_VALUE;
            }
            throw MatrixException.invalidParam("Query parameter " + name + " must be an integer");
        }
        if (number < 1) {
            throw MatrixException.invalidParam("Query parameter " + name + " must be a positive integer");
        }
        return (int) Math.min(number, Integer.MAX_VALUE);
    }

    /** {@code method}: {@code crop} or {@code scale} (the default). */
    private static ThumbnailMethod method(RoutingContext ctx) {
        String value = ctx.request().getParam("method");
        if (value == null) {
            return ThumbnailMethod.SCALE;
        }
        return ThumbnailMethod.of(value).orElseThrow(
                () -> MatrixException.invalidParam("Query parameter method must be one of crop, scale"));
    }

    /** {@code animated}: {@code true} or {@code false} (the default), as Synapse parses a boolean. */
    private static boolean animated(RoutingContext ctx) {
        String value = ctx.request().getParam("animated");
        if (value == null) {
            return false;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw MatrixException.invalidParam(
                    "Boolean query parameter 'animated' must be one of ['true', 'false']");
        };
    }
}
