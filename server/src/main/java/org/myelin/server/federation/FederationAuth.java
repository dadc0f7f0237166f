package org.myelin.server.federation;

import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.FederationException;
import org.myelin.federation.auth.RequestAuthenticator;
import org.myelin.server.http.AccessLog;
import org.myelin.server.http.BlockingHandler;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.FileReply;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;

import java.util.function.Consumer;

/**
 * The X-Matrix check every federation endpoint makes before anything else (server-server API,
 * "Request Authentication"), and the mapping of federation errors to Matrix error responses.
 * A server that authenticates is up: its outbound backoff is reset.
 */
final class FederationAuth {

    /** A federation handler: it gets the request and the authenticated origin. */
    @FunctionalInterface
    interface Handler {
        JsonResponse handle(RoutingContext ctx, RequestAuthenticator.Authenticated request) throws Exception;
    }

    /** A federation handler that answers with a file (media): it gets the request and the authenticated origin. */
    @FunctionalInterface
    interface FileHandler {
        FileReply handle(RoutingContext ctx, RequestAuthenticator.Authenticated request) throws Exception;
    }

    private final RequestAuthenticator authenticator;
    private final Consumer<String> remoteServerUp;

    FederationAuth(RequestAuthenticator authenticator, Consumer<String> remoteServerUp) {
        this.authenticator = authenticator;
        this.remoteServerUp = remoteServerUp;
    }

    /** A blocking handler that authenticates the request, then runs {@code handler}. */
    BlockingHandler authenticated(Handler handler) {
        return errors(ctx -> handler.handle(ctx, authenticate(ctx)));
    }

    /** A file handler that authenticates the request, then runs {@code handler}. */
    Handlers.FileHandler authenticatedFile(FileHandler handler) {
        return ctx -> {
            try {
                return handler.handle(ctx, authenticate(ctx));
            } catch (FederationException e) {
                throw toMatrix(e);
            }
        };
    }

    private RequestAuthenticator.Authenticated authenticate(RoutingContext ctx) {
        byte[] body = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        RequestAuthenticator.Authenticated request = authenticator.authenticate(ctx.request().method().name(),
                ctx.request().uri(), ctx.request().headers().getAll("Authorization"), body);
        remoteServerUp.accept(request.origin());
        AccessLog.identify(ctx, request.origin());
        return request;
    }

    /**
     * A blocking handler whose {@link FederationException}s become Matrix errors; one that names
     * a room version (M_INCOMPATIBLE_ROOM_VERSION) carries it as {@code room_version}.
     */
    static BlockingHandler errors(BlockingHandler handler) {
        return ctx -> {
            try {
                return handler.handle(ctx);
            } catch (FederationException e) {
                if (e.roomVersion() != null) {
                    return new JsonResponse(e.status(),
                            new RoomVersionError(e.errcode(), e.getMessage(), e.roomVersion()));
                }
                throw toMatrix(e);
            }
        };
    }

    /** The error body of M_INCOMPATIBLE_ROOM_VERSION (server-server API, {@code make_join}'s 400). */
    record RoomVersionError(String errcode, String error, String roomVersion) {
    }

    static MatrixException toMatrix(FederationException e) {
        ErrCode code;
        try {
            code = ErrCode.valueOf(e.errcode());
        } catch (IllegalArgumentException unknown) {
            code = ErrCode.M_UNKNOWN;
        }
        return MatrixException.of(code, e.getMessage()).withStatus(e.status());
    }
}
