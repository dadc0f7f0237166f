package org.myelin.server.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body read as it arrives, for a handler on a virtual thread that passes it on (a
 * media upload, to disk) rather than holding it: {@link #stream()} is an {@link InputStream} over
 * the chunks the event loop receives. At most about {@link #HIGH_WATER} bytes wait between the
 * two: past it the request is paused, so the sender's bytes stay in the kernel's buffers and its
 * TCP window closes, and it is resumed once the reader has taken them below {@link #LOW_WATER}.
 *
 * <p>The request is paused from the moment the route is matched until the first read: a handler
 * authenticates and checks the request first, and a request it refuses has not had its body
 * read (nor, with {@code Expect: 100-continue}, sent). After the handler, whatever it left is
 * read and dropped ({@link #discard()}).
 *
 * <p>A read that waits longer than the idle timeout for the next bytes fails with
 * {@link BodyException} ({@code timedOut}), as does a read after the connection failed: a slow or
 * vanished sender holds a virtual thread and a temporary file that long at most.
 */
public final class StreamedBody {

    /** Bytes received and not yet read past which the sender is paused. */
    static final int HIGH_WATER = 1024 * 1024;
    /** Bytes left unread below which a paused sender is resumed. */
    static final int LOW_WATER = 256 * 1024;

    /** The body could not be read: its sender went away, sent a malformed body, or stalled. */
    public static final class BodyException extends IOException {
        private final boolean timedOut;

        BodyException(String message, boolean timedOut, Throwable cause) {
            super(message, cause);
            this.timedOut = timedOut;
        }

        /** Whether the sender sent nothing for the idle timeout (408), rather than failing (400). */
        public boolean timedOut() {
            return timedOut;
        }
    }

    private final RoutingContext ctx;
    private final HttpServerRequest request;
    private final Context context;
    private final long idleTimeoutMs;
    private final InputStream stream = new Stream();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<Buffer> chunks = new ArrayDeque<>();
    private int headRead;
    private long queued;
    /** Whether the request is paused; changed only on the event loop, each time with the call that does it. */
    private boolean senderPaused = true;
    /** A {@link #flow()} is on its way to the event loop. */
    private boolean flowPosted;
    private boolean ended;
    private boolean discarded;
    private boolean started;
    private Throwable failure;

    private StreamedBody(RoutingContext ctx, long idleTimeoutMs) {
        this.ctx = ctx;
        this.request = ctx.request();
        this.context = Vertx.currentContext();
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /**
     * Takes over the body of {@code ctx}'s request, paused. Called on the request's event loop in
     * the turn in which the route matched: bytes that come before a handler is set would be lost.
     */
    static StreamedBody attach(RoutingContext ctx, long idleTimeoutMs) {
        StreamedBody body = new StreamedBody(ctx, idleTimeoutMs);
        HttpServerRequest request = ctx.request();
        if (request.isEnded()) {
            body.ended = true;
            return body;
        }
        request.pause();
        request.handler(body::received);
        request.endHandler(v -> body.ended());
        request.exceptionHandler(body::failed);
        return body;
    }

    /** The body; reading it starts the transfer (the request is resumed, {@code 100 Continue} sent). */
    public InputStream stream() {
        return stream;
    }

    /** The request's {@code Content-Length}, or -1 when it has none (a chunked body). */
    public long declaredLength() {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null || value.isBlank()) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1; // the HTTP decoder refuses these before any route
        }
    }

    /** Drops what is left of the body, as it comes: called once the handler is done with it. */
    void discard() {
        lock.lock();
        try {
            discarded = true;
            chunks.clear();
            queued = 0;
            if (ended || failure != null) {
                return;
            }
        } finally {
            lock.unlock();
        }
        context.runOnContext(v -> {
            lock.lock();
            try {
                senderPaused = false;
            } finally {
                lock.unlock();
            }
            request.resume();
        });
    }

    /** On the event loop: the request's bytes wait in our queue, but at most about HIGH_WATER of them. */
    private void received(Buffer chunk) {
        boolean pause = false;
        lock.lock();
        try {
            if (discarded) {
                return;
            }
            chunks.addLast(chunk);
            queued += chunk.length();
            if (queued > HIGH_WATER && !senderPaused) {
                senderPaused = true;
                pause = true;
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        if (pause) {
            request.pause();
        }
    }

    /** On the event loop: resumes a paused sender once the reader has taken its queue below LOW_WATER. */
    private void flow() {
        boolean resume = false;
        lock.lock();
        try {
            flowPosted = false;
            if (senderPaused && queued < LOW_WATER && !discarded) {
                senderPaused = false;
                resume = true;
            }
        } finally {
            lock.unlock();
        }
        if (resume) {
            request.resume();
        }
    }

    /** With the lock held, on the reader's thread: asks the event loop to resume the sender if it should. */
    private void postFlowIfPaused() {
        if (!started) {
            started = true;
            flowPosted = true;
            context.runOnContext(v -> {
                if (request.getHeader(HttpHeaders.EXPECT) != null && !ctx.response().headWritten()) {
                    ctx.response().writeContinue();
                }
                flow();
            });
        } else if (senderPaused && queued < LOW_WATER && !flowPosted) {
            flowPosted = true;
            context.runOnContext(v -> flow());
        }
    }

    private void ended() {
        lock.lock();
        try {
            ended = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void failed(Throwable cause) {
        lock.lock();
        try {
            failure = cause;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private final class Stream extends InputStream {

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            int n;
            lock.lock();
            try {
                postFlowIfPaused();
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
                while (chunks.isEmpty()) {
                    if (failure != null) {
                        throw new BodyException("The request body could not be read: " + failure.getMessage(),
                                false, failure);
                    }
                    if (ended || discarded) {
                        return -1;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new BodyException("No bytes of the request body for " + idleTimeoutMs + " ms", true,
                                null);
                    }
                    arrived.awaitNanos(left);
                }
                Buffer head = chunks.peekFirst();
                n = Math.min(length, head.length() - headRead);
                head.getBytes(headRead, headRead + n, into, offset);
                headRead += n;
                if (headRead == head.length()) {
                    chunks.pollFirst();
                    headRead = 0;
                }
                queued -= n;
                postFlowIfPaused();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BodyException("Interrupted while reading the request body", false, e);
            } finally {
                lock.unlock();
            }
            return n;
        }
    }
}
