package org.myelin.server.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.myelin.server.config.HomeserverConfig;

/**
 * Reads request bodies into memory before their handler runs ({@link Handlers#blocking}), so
 * that no sender, and no number of senders, can exhaust the server's memory or stop it
 * answering ({@code request_bodies} in the config):
 * <ul>
 * <li>a body longer than its route's {@link BodyLimit} is refused with 413 {@code M_TOO_LARGE}
 *     as soon as its {@code Content-Length} or the bytes received pass the limit; what follows
 *     is read and dropped, never held;</li>
 * <li>at most {@code max_concurrent_reads} bodies, together at most {@code max_buffered_bytes},
 *     are read at once; the others wait their turn in arrival order with their request paused,
 *     so their bytes stay in the kernel's buffers, not in ours;</li>
 * <li>a body not received in full {@code read_timeout_ms} after its request arrived (waiting
 *     included) is answered 408 and its connection closed: a slow sender holds a place and
 *     memory for that long at most.</li>
 * </ul>
 * A request without a body (no {@code Content-Length}, not chunked) goes to its handler at once.
 * Bookkeeping is shared by every listener and event loop, under a lock held for a few field
 * updates only; each request's own state is touched on its event loop only.
 */
public final class RequestBodies {

    /** HTTP/2's CANCEL error code (RFC 9113, 7). */
    private static final long CANCEL = 0x8;

    private final int maxReads;
    private final long maxBytes;
    private final long timeoutMs;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}: bodies being read, the bytes they reserved, those waiting. */
    private int reads;
    private long bytes;
    private final ArrayDeque<BodyRead> waiting = new ArrayDeque<>();

    public RequestBodies(HomeserverConfig.RequestBodies config) {
        this.maxReads = config.maxConcurrentReads();
        this.maxBytes = config.maxBufferedBytes();
        this.timeoutMs = config.readTimeoutMs();
    }

    /** How long a body may take ({@code read_timeout_ms}); for a streamed body, how long it may stall. */
    long readTimeoutMs() {
        return timeoutMs;
    }

    /** How many bodies are being read now. */
    public int reading() {
        lock.lock();
        try {
            return reads;
        } finally {
            lock.unlock();
        }
    }

    /** How many bodies wait for their turn. */
    public int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads the body of {@code ctx}'s request, at most {@code limit}, into the context
     * ({@code ctx.body()}), then runs {@code then} on the request's event loop; or answers the
     * request itself (413, 408, 400) and never runs {@code then}. Called on the request's event
     * loop, in the same turn in which the request arrived: bytes that come before a reader is
     * set would be lost.
     */
    void read(RoutingContext ctx, BodyLimit limit, Runnable then) {
        HttpServerRequest request = ctx.request();
        long declared = contentLength(request);
        boolean http2 = request.version() == HttpVersion.HTTP_2;
        // HTTP/2 has no chunked encoding: a stream that is still open may bring a body of any length.
        boolean body = http2 ? !request.isEnded() && declared != 0
                : declared > 0 || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        if (!body) {
            if (declared == 0) {
                ((RoutingContextInternal) ctx).setBody(Buffer.buffer(0));
            }
            then.run();
            return;
        }
        if (request.isEnded()) {
            ctx.fail(new IllegalStateException("the request body was read before its route: nothing may defer routing"));
            return;
        }
        String expect = request.getHeader(HttpHeaders.EXPECT);
        if (expect != null && !expect.equalsIgnoreCase("100-continue")) {
            ctx.fail(MatrixException.unknownBadRequest("Unsupported expectation: " + expect).withStatus(417));
            return;
        }
        long reserve = Math.min(declared >= 0 ? declared : limit.maxBytes(), maxBytes);
        BodyRead read = new BodyRead(ctx, limit.maxBytes(), reserve, then);
        if (declared > limit.maxBytes()) {
            read.refuseAtOnce();
        } else {
            read.start();
        }
    }

    private static long contentLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null || value.isEmpty()) {
            return -1;
        }
        try {
            return Math.max(-1, Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return -1; // the HTTP decoder refuses these before any route
        }
    }

    /** Counts {@code read} as being read if there is room and nobody is ahead; else queues it. */
    private boolean acquireOrWait(BodyRead read) {
        lock.lock();
        try {
            if (waiting.isEmpty() && fits(read.reserved)) {
                reads++;
                bytes += read.reserved;
                return true;
            }
            waiting.addLast(read);
            return false;
        } finally {
            lock.unlock();
        }
    }

    private boolean fits(long reserve) {
        return reads < maxReads && bytes + reserve <= maxBytes;
    }

    /** Gives back a read's place and lets in those waiting that now fit, first come first. */
    private void release(long reserved) {
        List<BodyRead> admitted = new ArrayList<>();
        lock.lock();
        try {
            reads--;
            bytes -= reserved;
            while (!waiting.isEmpty() && fits(waiting.peekFirst().reserved)) {
                BodyRead next = waiting.pollFirst();
                reads++;
                bytes += next.reserved;
                admitted.add(next);
            }
        } finally {
            lock.unlock();
        }
        admitted.forEach(BodyRead::admitted);
    }

    /** Takes a read out of the queue; false if it was let in meanwhile (its admission is on its way). */
    private boolean withdraw(BodyRead read) {
        lock.lock();
        try {
            return waiting.remove(read);
        } finally {
            lock.unlock();
        }
    }

    private enum State { WAITING, READING, DONE }

    /** One request's body on its way in; its fields are touched on the request's event loop only. */
    private final class BodyRead {
        private final RoutingContext ctx;
        private final HttpServerRequest request;
        private final Context context;
        private final Vertx vertx;
        private final long limit;
        private final long reserved;
        private final Runnable then;
        private State state = State.WAITING;
        private Buffer body;
        private long received;
        private long deadline = -1;

        BodyRead(RoutingContext ctx, long limit, long reserved, Runnable then) {
            this.ctx = ctx;
            this.request = ctx.request();
            this.context = Vertx.currentContext();
            this.vertx = ctx.vertx();
            this.limit = limit;
            this.reserved = reserved;
            this.then = then;
        }

        void start() {
            request.pause();
            request.exceptionHandler(this::failed);
            deadline = vertx.setTimer(timeoutMs, id -> timedOut());
            if (acquireOrWait(this)) {
                begin();
            }
        }

        /** Called by whichever thread released a place. */
        void admitted() {
            context.runOnContext(v -> {
                if (state == State.WAITING) {
                    begin();
                } else {
                    release(reserved); // timed out or gone while the admission was on its way
                }
            });
        }

        private void begin() {
            state = State.READING;
            body = Buffer.buffer((int) Math.min(reserved, BodyLimit.EVENT_BYTES));
            if (request.getHeader(HttpHeaders.EXPECT) != null) {
                ctx.response().writeContinue();
            }
            request.handler(this::received).endHandler(v -> ended()).resume();
        }

        private void received(Buffer chunk) {
            if (state != State.READING) {
                return; // refused: dropped as it comes
            }
            received += chunk.length();
            if (received > limit) {
                finish();
                refuse();
                return;
            }
            body.appendBuffer(chunk);
        }

        private void ended() {
            if (state == State.READING) {
                finish();
                vertx.cancelTimer(deadline);
                ((RoutingContextInternal) ctx).setBody(body);
                body = null;
                then.run();
            } else {
                vertx.cancelTimer(deadline); // a refused body that its sender finished after all
            }
        }

        /** Refused on its Content-Length: it never takes a place. */
        void refuseAtOnce() {
            state = State.DONE;
            request.exceptionHandler(e -> vertx.cancelTimer(deadline));
            request.endHandler(v -> vertx.cancelTimer(deadline));
            deadline = vertx.setTimer(timeoutMs, id -> closeIfUnfinished());
            refuse();
        }

        /** 413 now; the rest of the body is read and dropped until the sender stops or its time is up. */
        private void refuse() {
            request.handler(chunk -> { }).resume();
            ctx.fail(MatrixException.tooLarge("Request body too large: this endpoint takes at most " + limit + " bytes"));
        }

        private void timedOut() {
            switch (state) {
                case WAITING -> {
                    withdraw(this); // if admitted meanwhile, admitted() gives the place back
                    state = State.DONE;
                    answerTimeout();
                }
                case READING -> {
                    finish();
                    answerTimeout();
                }
                case DONE -> closeIfUnfinished();
            }
        }

        private void answerTimeout() {
            body = null;
            request.handler(chunk -> { }).resume();
            if (!ctx.response().ended() && !ctx.response().closed()) {
                ctx.fail(MatrixException.unknownBadRequest("Request body not received in time").withStatus(408));
            }
            cutOff();
        }

        private void closeIfUnfinished() {
            if (!request.isEnded()) {
                cutOff();
            }
        }

        /** Stops the sender: its connection closed (HTTP/1.1), or its stream reset (HTTP/2, whose connection others share). */
        private void cutOff() {
            if (request.version() == HttpVersion.HTTP_2) {
                ctx.response().reset(CANCEL);
            } else {
                request.connection().close();
            }
        }

        /** The connection failed or closed (or the body was malformed) before the body was in. */
        private void failed(Throwable cause) {
            vertx.cancelTimer(deadline);
            switch (state) {
                case WAITING -> {
                    state = State.DONE;
                    withdraw(this); // if admitted meanwhile, admitted() gives the place back
                }
                case READING -> finish();
                case DONE -> {
                    return;
                }
            }
            body = null;
            if (!ctx.response().ended() && !ctx.response().closed()) {
                ctx.fail(MatrixException.unknownBadRequest("Malformed request body"));
            }
        }

        private void finish() {
            state = State.DONE;
            release(reserved);
        }
    }
}
