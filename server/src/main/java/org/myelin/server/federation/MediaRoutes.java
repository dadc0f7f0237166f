package org.myelin.server.federation;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.auth.RequestAuthenticator;
import org.myelin.protocol.id.MediaId;
import org.myelin.server.http.FileReply;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.server.media.MediaForServers;
import org.myelin.server.media.ThumbnailRoutes;

/**
 * Our media for other servers (server-server API, "Content Repository", added in v1.11): signed
 * requests, answered {@code multipart/mixed} ({@link MediaForServers}). Only this server's own
 * media, as Synapse: a server asks each origin for its own.
 */
final class MediaRoutes implements Routes {

    /** The spec's default {@code timeout_ms}, and Synapse's largest. */
    private static final long DEFAULT_TIMEOUT_MS = 20_000;
    private static final long MAX_TIMEOUT_MS = 60_000;

    private final FederationAuth auth;
    private final MediaForServers media;

    MediaRoutes(FederationAuth auth, MediaForServers media) {
        this.auth = auth;
        this.media = media;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/federation/v1/media/download/:mediaId")
                .handler(handlers.blockingFile(auth.authenticatedFile(this::download)));
        router.get("/_matrix/federation/v1/media/thumbnail/:mediaId")
                .handler(handlers.blockingFile(auth.authenticatedFile(this::thumbnail)));
    }

    /** {@code GET /_matrix/federation/v1/media/download/{mediaId}?timeout_ms=}: the media, after its JSON part. */
    FileReply download(RoutingContext ctx, RequestAuthenticator.Authenticated request) throws Exception {
        return media.download(mediaId(ctx), timeoutMs(ctx));
    }

    /**
     * {@code GET /_matrix/federation/v1/media/thumbnail/{mediaId}?width=&height=&method=&animated=&timeout_ms=}:
     * the thumbnail a client of ours would get, made if need be.
     */
    FileReply thumbnail(RoutingContext ctx, RequestAuthenticator.Authenticated request) throws Exception {
        return media.thumbnail(mediaId(ctx), ThumbnailRoutes.request(ctx), timeoutMs(ctx));
    }

    private static MediaId mediaId(RoutingContext ctx) {
        String id = ctx.pathParam("mediaId");
        if (!MediaId.isValid(id)) {
            throw MatrixException.notFound("Not found");
        }
        return MediaId.parse(id);
    }


    private static long timeoutMs(RoutingContext ctx) {
        String value = ctx.request().getParam("timeout_ms");
        if (value == null || value.isEmpty()) {
            return DEFAULT_TIMEOUT_MS;
        }
        try {
            return Math.min(Math.max(0, Long.parseLong(value)), MAX_TIMEOUT_MS);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("timeout_ms must be an integer");
        }
    }
}
