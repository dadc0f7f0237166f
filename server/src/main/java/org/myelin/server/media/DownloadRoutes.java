package org.myelin.server.media;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.http.FileResponse;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/**
 * Downloads from the content repository (client-server API, "Content repository"): the
 * authenticated {@code /_matrix/client/v1/media/download}, and the deprecated unauthenticated
 * {@code /_matrix/media/v3/download} (with Synapse's r0 and v1 aliases), which serves only
 * media uploaded while authenticated media was off (the spec's "freeze"). The file is sent from
 * disk to the socket ({@link FileResponse}), whole or one byte range of it.
 */
public final class DownloadRoutes implements Routes {

    private final MediaDownloads downloads;
    private final Authenticator auth;

    public DownloadRoutes(MediaDownloads downloads, Authenticator auth) {
        this.downloads = downloads;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        String authenticated = "/_matrix/client/v1/media/download/:serverName/:mediaId";
        router.get(authenticated).handler(handlers.blockingFile(this::download));
        router.get(authenticated + "/:fileName").handler(handlers.blockingFile(this::download));
        for (String version : new String[] {"v3", "r0", "v1"}) {
            String legacy = "/_matrix/media/" + version + "/download/:serverName/:mediaId";
            router.get(legacy).handler(handlers.blockingFile(this::downloadUnauthenticated));
            router.get(legacy + "/:fileName").handler(handlers.blockingFile(this::downloadUnauthenticated));
        }
    }

    /**
     * {@code GET /_matrix/client/v1/media/download/{serverName}/{mediaId}[/{fileName}]}
     * (client-server API, "Content repository", added in v1.11): guests too, as Synapse.
     */
    FileResponse download(RoutingContext ctx) throws Exception {
        auth.require(ctx, true);
        return serve(ctx, false);
    }

    /**
     * {@code GET /_matrix/media/v3/download/{serverName}/{mediaId}[/{fileName}]} (client-server
     * API, "Content repository", deprecated in v1.11): no access token; 404 for media uploaded
     * while {@code media.enable_authenticated_media} was on.
     */
    FileResponse downloadUnauthenticated(RoutingContext ctx) throws Exception {
        return serve(ctx, true);
    }

    private FileResponse serve(RoutingContext ctx, boolean unauthenticated) throws Exception {
        String server = ctx.pathParam("serverName");
        if (!ServerName.isValid(server)) {
            throw MatrixException.invalidParam("Invalid server name: " + server);
        }
        String mediaId = ctx.pathParam("mediaId");
        if (!MediaId.isValid(mediaId)) {
            throw MatrixException.notFound("Not found");
        }
        boolean allowRemote = !"false".equals(ctx.request().getParam("allow_remote"));
        MediaDownloads.Servable media = downloads.find(ServerName.parse(server), MediaId.parse(mediaId),
                unauthenticated, allowRemote, timeoutMs(ctx));
        String fileName = ctx.pathParam("fileName");
        Map<String, String> headers = MediaHeaders.of(media.contentType(),
                fileName != null && !fileName.isEmpty() ? fileName : media.uploadName());
        return respond(ctx, headers, media.file(), media.size());
    }

    /** {@code file}, {@code size} bytes long, whole or the byte range the request asks for. */
    static FileResponse respond(RoutingContext ctx, Map<String, String> headers, Path file, long size) {
        return switch (ByteRange.of(ctx.request().getHeader("Range"), ctx.request().getHeader("If-Range"), size)) {
            case ByteRange.Whole whole -> new FileResponse(200, headers, file, 0, size);
            case ByteRange.Part part -> {
                headers.put("Content-Range", part.contentRange());
                yield new FileResponse(206, headers, file, part.first(), part.length());
            }
            case ByteRange.Unsatisfiable none -> {
                Map<String, String> refusal = new LinkedHashMap<>(headers);
                refusal.remove("Content-Disposition");
                refusal.put("Content-Range", none.contentRange());
                yield FileResponse.empty(416, refusal);
            }
        };
    }

    /** {@code timeout_ms}: how long to wait for content not uploaded yet; 400 if not a number. */
    static long timeoutMs(RoutingContext ctx) {
        String value = ctx.request().getParam("timeout_ms");
        if (value == null || value.isEmpty()) {
            return MediaDownloads.DEFAULT_TIMEOUT_MS;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("timeout_ms must be an integer");
        }
    }
}
