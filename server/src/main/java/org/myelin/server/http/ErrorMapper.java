package org.myelin.server.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.HttpException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure on a listener into a Matrix error response. A
 * {@link MatrixException} is sent as it is; a path nothing serves is 404 M_UNRECOGNIZED, a
 * served path with the wrong method 405 M_UNRECOGNIZED, an oversize body 413 M_TOO_LARGE, a
 * request line or headers too long (refused before routing, {@link #refuseInvalid}) 414 or 431;
 * anything else is a bug: 500 M_UNKNOWN, whose details go to the log under a correlation id
 * that the response quotes, never to the wire.
 */
public final class ErrorMapper implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);
    /** Statuses the router itself produces (unmatched routes, body handler, bad requests). */
    /** The largest unread body read and dropped before an error answer, rather than closing the connection. */
    static final long DRAINED_BODY_BYTES = 64 * 1024;
    /** How long a client may take to send that body before the answer goes anyway, with the connection closed. */
    private static final long DRAIN_TIMEOUT_MS = 5_000;
    private static final int[] ROUTER_STATUSES = {400, 404, 405, 413, 414, 431, 500, 503};

    /** Installs the mapper as the router's failure handler and error handler. */
    public static void install(Router router) {
        ErrorMapper mapper = new ErrorMapper();
        router.route().failureHandler(mapper);
        for (int status : ROUTER_STATUSES) {
            router.errorHandler(status, mapper);
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        MatrixException error = toMatrix(ctx);
        if (response.headWritten()) {
            response.reset(); // too late for an error body: end the stream
            return;
        }
        if (error.toError().retryAfterMs() != null) {
            // Seconds, rounded up: the header clients without Matrix knowledge understand.
            response.putHeader("Retry-After", Long.toString((error.toError().retryAfterMs() + 999) / 1000));
        }
        HttpServerRequest request = ctx.request();
        if (!request.isEnded()) {
            boolean unrouted = error.status() == 404 || error.status() == 405;
            if (unrouted && declaredLength(request) <= DRAINED_BODY_BYTES) {
                // A small body no handler read (no route, a wrong method): read and dropped first, so the
                // connection stays usable. Closing with its bytes unread would make the kernel
                // reset the connection, and the client could lose the answer with it.
                long timer = ctx.vertx().setTimer(DRAIN_TIMEOUT_MS, t -> answer(response, error, true));
                request.handler(ignored -> { });
                request.exceptionHandler(ignored -> { });
                request.endHandler(v -> {
                    ctx.vertx().cancelTimer(timer);
                    answer(response, error, false);
                });
                request.resume();
                return;
            }
            // A large body, or one a handler gave up on (too large, too slow): not read. The connection is closed after the
            // answer, and a client that is not told so may send its next request on it and get
            // no answer at all.
            answer(response, error, true);
            return;
        }
        answer(response, error, false);
    }

    private static void answer(HttpServerResponse response, MatrixException error, boolean close) {
        if (response.ended() || response.closed()) {
            return;
        }
        if (close) {
            response.putHeader("Connection", "close");
        }
        response.setStatusCode(error.status())
                .putHeader("Content-Type", "application/json")
                .end(Json.write(error.toError()));
    }

    /** The request's Content-Length, or {@link Long#MAX_VALUE} when it has none (chunked) or a bad one. */
    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        try {
            return length == null ? Long.MAX_VALUE : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Answers a request the HTTP decoder refused before any router saw it (a request line past
     * the listener's limit, headers too large, malformed): the same Matrix error a router would
     * give, then the connection is closed, as where the next request starts is unknown.
     */
    public static void refuseInvalid(HttpServerRequest request) {
        long started = System.nanoTime();
        Throwable cause = request.decoderResult().cause();
        int status = cause instanceof TooLongHttpLineException ? 414
                : cause instanceof TooLongHttpHeaderException ? 431 : 400;
        MatrixException error = forStatus(status);
        // Said, not only done: a client that reuses the connection meanwhile gets no answer at all.
        request.response().setStatusCode(error.status())
                .putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close")
                .end(Json.write(error.toError()))
                .onComplete(sent -> request.connection().close());
        AccessLog.refused(request, error.status(), started);
    }

    private static MatrixException toMatrix(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof MatrixException m) {
            return m;
        }
        int status = failure instanceof HttpException h ? h.getStatusCode() : ctx.statusCode();
        return status >= 400 && status < 500 ? forStatus(status) : internal(ctx, failure);
    }

    /** The Matrix error for a client error status the HTTP machinery produced on its own. */
    private static MatrixException forStatus(int status) {
        return switch (status) {
            case 404 -> MatrixException.unrecognized();
            case 405 -> MatrixException.methodNotAllowed();
            case 413 -> MatrixException.tooLarge("Request body too large");
            case 414 -> MatrixException.unknownBadRequest("Request URI too long").withStatus(414);
            case 431 -> MatrixException.unknownBadRequest("Request headers too large").withStatus(431);
            default -> MatrixException.unknownBadRequest("Bad request").withStatus(status);
        };
    }

    private static MatrixException internal(RoutingContext ctx, Throwable failure) {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        LOG.error("Request {} {} failed [correlation id {}]", ctx.request().method(), ctx.request().path(), id, failure);
        return MatrixException.of(ErrCode.M_UNKNOWN, "Internal server error (correlation id " + id + ")");
    }
}
