package org.myelin.server.http;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

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
     * way: see {@link BodyLimit}.
     */
    public Handler<RoutingContext> blocking(BodyLimit limit, BlockingHandler handler) {
        return ctx -> bodies.read(ctx, limit, () -> dispatch(handler, ctx));
    }

    private void dispatch(BlockingHandler handler, RoutingContext ctx) {
        Context context = Vertx.currentContext();
        try {
            executor.execute(() -> run(handler, ctx, context));
        } catch (RejectedExecutionException e) {
            ctx.fail(503, e); // shutting down
        }
    }

    private static void run(BlockingHandler handler, RoutingContext ctx, Context context) {
        int status;
        Buffer body;
        try {
            RequestParameters.check(ctx);
            JsonResponse response = handler.handle(ctx);
            status = response.status();
            body = Json.write(response.body()); // serialised here, off the event loop
        } catch (Throwable failure) {
            context.runOnContext(v -> ctx.fail(failure));
            return;
        }
        context.runOnContext(v -> {
            if (ctx.response().ended() || ctx.response().closed()) {
                return; // the client went away meanwhile
            }
            ctx.response().setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .end(body);
        });
    }
}
