package org.myelin.server.media;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.UserId;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.server.http.StreamedBody;

/**
 * Uploads to the content repository (client-server API, "Content repository"): in one request,
 * or a media id first and its content later. The body streams to the media store as it arrives,
 * after the request is authenticated and checked ({@link Handlers#streamed}); past
 * {@code media.max_upload_size}, 413 {@code M_TOO_LARGE} as soon as the {@code Content-Length}
 * or the bytes received say so, and nothing is kept.
 */
public final class UploadRoutes implements Routes {

    private final MediaUploads uploads;
    private final Authenticator auth;

    public UploadRoutes(MediaUploads uploads, Authenticator auth) {
        this.uploads = uploads;
        this.auth = auth;
    }

    /** The body of {@code POST /create}'s answer. */
    record CreateResponse(String contentUri, long unusedExpiresAt) {}

    /** The body of {@code POST /upload}'s answer. */
    record UploadResponse(String contentUri) {}

    @Override
    public void mount(Router router, Handlers handlers) {
        // v1 and r0 as Synapse serves them: clients still call them.
        for (String version : new String[] {"v3", "r0", "v1"}) {
            router.post("/_matrix/media/" + version + "/upload").handler(handlers.streamed(this::upload));
        }
        router.put("/_matrix/media/v3/upload/:serverName/:mediaId").handler(handlers.streamed(this::uploadTo));
        router.post("/_matrix/media/v1/create").handler(handlers.blocking(this::create));
    }

    /**
     * {@code POST /_matrix/media/v3/upload?filename=} (client-server API, "Content repository"):
     * the body is the content, its {@code Content-Type} the content's type
     * ({@code application/octet-stream} when absent).
     */
    JsonResponse upload(RoutingContext ctx, StreamedBody body) throws Exception {
        UserId uploader = UserId.parse(auth.require(ctx).userId());
        uploads.checkDeclaredLength(uploader, body.declaredLength());
        try {
            return JsonResponse.ok(new UploadResponse(
                    uploads.upload(uploader, described(ctx), body.stream()).toString()));
        } catch (StreamedBody.BodyException e) {
            throw unreadable(e);
        }
    }

    /**
     * {@code PUT /_matrix/media/v3/upload/{serverName}/{mediaId}?filename=} (client-server API,
     * "Content repository", added in v1.7): the content of a media id made by {@code /create}.
     */
    JsonResponse uploadTo(RoutingContext ctx, StreamedBody body) throws Exception {
        UserId uploader = UserId.parse(auth.require(ctx).userId());
        MediaId mediaId = uploads.checkCanUploadTo(uploader, ctx.pathParam("serverName"), ctx.pathParam("mediaId"));
        uploads.checkDeclaredLength(uploader, body.declaredLength());
        try {
            uploads.uploadTo(uploader, mediaId, described(ctx), body.stream());
        } catch (StreamedBody.BodyException e) {
            throw unreadable(e);
        }
        return JsonResponse.empty();
    }

    /**
     * {@code POST /_matrix/media/v1/create} (client-server API, "Content repository", added in
     * v1.7): a media id to upload to later, and when it expires unused.
     */
    JsonResponse create(RoutingContext ctx) {
        UserId uploader = UserId.parse(auth.require(ctx).userId());
        MediaUploads.Created created = uploads.create(uploader);
        return JsonResponse.ok(new CreateResponse(created.contentUri().toString(), created.unusedExpiresAt()));
    }

    private static MediaUploads.Described described(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        String name = ctx.queryParams().get("filename");
        return new MediaUploads.Described(type == null || type.isBlank() ? MediaHeaders.OCTET_STREAM : type,
                name == null || name.isEmpty() ? null : name);
    }

    /** A body that could not be read is the client's error: 408 when it stalled, 400 when it broke off. */
    private static MatrixException unreadable(StreamedBody.BodyException e) {
        return e.timedOut()
                ? MatrixException.unknownBadRequest("Request body not received in time").withStatus(408)
                : MatrixException.unknownBadRequest("Malformed request body");
    }
}
