package org.myelin.server.http;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.myelin.server.metrics.RequestMetrics;

/**
 * The one adapter between Vert.x routes and {@link BlockingHandler}s: each request's handler
 * runs on its own virtual thread from our executor, and the response is written back on the
 * request's Vert.x context (its event loop), the only thread allowed to touch it.
 *
 * <p>Why not a Vert.x {@code VIRTUAL_THREAD} verticle: such a verticle runs its tasks one at
 * a time per context and only {@code Future.await()} lets the next one in, so a blocking
 * JDBC call there would make every other request on that context queue behind it. Our own
 * virtual-thread-per-task executor has no such ordering: requests block independently.
 */
public final class Handlers {

    private final ExecutorService executor;
    private final RequestBodies bodies;

    /**
     * @param executor a virtual-thread-per-task executor, owned and shut down by the caller
     * @param bodies   reads request bodies within their bounds, for every listener
     */
    public Handlers(ExecutorService executor, RequestBodies bodies) {
        this.executor = executor;
        this.bodies = bodies;
    }

    /**
     * A route handler that reads the request body (at most {@link BodyLimit#JSON}) and then runs
     * {@code handler} on a virtual thread.
     */
    public Handler<RoutingContext> blocking(BlockingHandler handler) {
        return blocking(BodyLimit.JSON, handler);
    }

    /**
     * As {@link #blocking(BlockingHandler)}, for a route whose bodies may be larger (or must be
     * smaller) than {@link BodyLimit#JSON}. Bodies too large for memory (media) do not come this
     * way: see {@link #streamed}.
     */
    public Handler<RoutingContext> blocking(BodyLimit limit, BlockingHandler handler) {
        return ctx -> {
            RequestMetrics.routed(ctx);
            bodies.read(ctx, limit, () -> dispatch(ctx, () -> json(handler.handle(ctx))));
        };
    }

    /**
     * A route handler for bodies too large for memory (media uploads): {@code handler} runs on a
     * virtual thread with the body unread and the request paused, so that it authenticates and
     * checks the request before a byte of the body is taken, and then reads the body as it
     * arrives ({@link StreamedBody}). Whatever it leaves unread is dropped. Such bodies do not
     * take a place among {@code request_bodies}, which bounds bodies held in memory; a sender
     * that stalls for {@code request_bodies.read_timeout_ms} fails the read.
     */
    public Handler<RoutingContext> streamed(StreamingHandler handler) {
        return ctx -> {
            RequestMetrics.routed(ctx);
            StreamedBody body = StreamedBody.attach(ctx, bodies.readTimeoutMs());
            dispatch(ctx, () -> {
                try {
                    return json(handler.handle(ctx, body));
                } finally {
                    body.discard();
                }
            });
        };
    }

    /**
     * A route handler that answers with a file ({@link FileReply}, media downloads): runs on a
     * virtual thread like {@link #blocking(BlockingHandler)}, takes no body, and the file is sent
     * from the event loop, with {@code sendfile} when it is the whole body.
     */
    public Handler<RoutingContext> blockingFile(FileHandler handler) {
        return ctx -> {
            RequestMetrics.routed(ctx);
            bodies.read(ctx, BodyLimit.JSON, () -> dispatch(ctx, () -> {
                FileReply response = handler.handle(ctx);
                return response::send;
            }));
        };
    }

    /** A request handler that answers with a file, run as {@link #blockingFile} says. */
    @FunctionalInterface
    public interface FileHandler {
        FileReply handle(RoutingContext ctx) throws Exception;
    }

    /** A request handler that reads its body as it arrives, run as {@link #streamed} says. */
    @FunctionalInterface
    public interface StreamingHandler {
        JsonResponse handle(RoutingContext ctx, StreamedBody body) throws Exception;
    }

    /** What a handler's virtual thread hands back to the event loop: the writing of the response. */
    private interface Reply {
        void send(RoutingContext ctx);
    }

    /** A handler's work on its virtual thread. */
    private interface Work {
        Reply run() throws Exception;
    }

    private static Reply json(JsonResponse response) {
        int status = response.status();
        Buffer body = Json.write(response.body()); // serialised here, off the event loop
        return ctx -> ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body);
    }

    private void dispatch(RoutingContext ctx, Work work) {
        Context context = Vertx.currentContext();
        try {
            executor.execute(() -> run(work, ctx, context));
        } catch (RejectedExecutionException e) {
            ctx.fail(503, e); // shutting down
        }
    }

    private static void run(Work work, RoutingContext ctx, Context context) {
        Reply reply;
        try {
            RequestParameters.check(ctx);
            reply = work.run();
        } catch (Throwable failure) {
            context.runOnContext(v -> ctx.fail(failure));
            return;
        }
        context.runOnContext(v -> {
            if (ctx.response().ended() || ctx.response().closed()) {
                return; // the client went away meanwhile
            }
            reply.send(ctx);
        });
    }
}
