package org.myelin.federation.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

import java.util.function.Supplier;

/**
 * Runs an outbound HTTP exchange, built as a chain of futures, on an event-loop context of its
 * own, for callers on (virtual) threads that wait for its answer.
 *
 * <p>A chain built on the calling thread attaches each step when the thread gets to it: the
 * step that sets a response's body handler could come after the response had arrived, its bytes
 * (a small answer: all of them) handed to no one. Built on the context, each step runs in the
 * turn its future completes in. It also keeps the request, which is not thread-safe, on one thread.
 */
public final class OnEventLoop {

    private OnEventLoop() {
    }

    /** The answer of {@code exchange}, which is called, and its whole chain run, on a new event-loop context. */
    public static <T> Future<T> run(Vertx vertx, Supplier<Future<T>> exchange) {
        ContextInternal context = ((VertxInternal) vertx).createEventLoopContext();
        Promise<T> answer = context.promise();
        context.runOnContext(v -> {
            try {
                exchange.get().onComplete(answer);
            } catch (RuntimeException e) {
                answer.tryFail(e);
            }
        });
        return answer.future();
    }
}
