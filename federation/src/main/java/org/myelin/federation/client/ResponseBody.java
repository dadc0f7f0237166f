package org.myelin.federation.client;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The body of an answer read as it arrives, by a virtual thread that passes it on (remote media,
 * to disk) rather than holding it: an {@link InputStream} over the chunks the event loop
 * receives. At most about {@link #HIGH_WATER} bytes wait between the two: past it the response
 * is paused, so that the sender's bytes stay in the kernel's buffers and its TCP window closes,
 * and it is resumed once the reader has taken them below {@link #LOW_WATER}. A read that waits
 * longer than the idle timeout fails, as does one after the connection failed.
 *
 * <p>{@link #close()} before the end resets the request: the rest is not read.
 */
final class ResponseBody extends InputStream {

    static final int HIGH_WATER = 1024 * 1024;
    static final int LOW_WATER = 256 * 1024;

    private final HttpClientResponse response;
    private final Context context;
    private final long idleTimeoutMs;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<Buffer> chunks = new ArrayDeque<>();
    private int headRead;
    private long queued;
    /** Whether the response is paused; changed only on the event loop, each time with the call that does it. */
    private boolean paused;
    private boolean resumePosted;
    private boolean ended;
    private boolean closed;
    private Throwable failure;

    private ResponseBody(HttpClientResponse response, Context context, long idleTimeoutMs) {
        this.response = response;
        this.context = context;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /**
     * Takes over the body of {@code response}. Called on the response's event loop in the turn in
     * which it arrived: chunks that come before a handler is set would be lost.
     */
    static ResponseBody attach(HttpClientResponse response, long idleTimeoutMs) {
        ResponseBody body = new ResponseBody(response, Vertx.currentContext(), idleTimeoutMs);
        try {
            response.handler(body::received);
        } catch (IllegalStateException alreadyEnded) {
            // Seldom, under load, Vert.x hands over a small answer only after it ended, its bytes
            // gone. An error answer is still told by its status (its errcode is lost); a success
            // must not pass for an empty body.
            if (response.statusCode() / 100 == 2) {
                body.failed(new IOException("the answer ended before its body could be read"));
            } else {
                body.ended();
            }
            return body;
        }
        response.endHandler(v -> body.ended());
        response.exceptionHandler(body::failed);
        return body;
    }

    private void received(Buffer chunk) {
        boolean pause = false;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            chunks.addLast(chunk);
            queued += chunk.length();
            if (queued > HIGH_WATER && !paused) {
                paused = true;
                pause = true;
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        if (pause) {
            response.pause();
        }
    }

    /** On the event loop: resumes a paused response once the reader has taken its queue below LOW_WATER. */
    private void flow() {
        boolean resume = false;
        lock.lock();
        try {
            resumePosted = false;
            if (paused && queued < LOW_WATER && !closed) {
                paused = false;
                resume = true;
            }
        } finally {
            lock.unlock();
        }
        if (resume) {
            response.resume();
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
            if (failure == null) {
                failure = cause;
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

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
        lock.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
            while (chunks.isEmpty()) {
                if (closed) {
                    throw new IOException("response body closed");
                }
                if (failure != null) {
                    throw new IOException("the answer broke off: " + HttpTransport.rootMessage(failure), failure);
                }
                if (ended) {
                    return -1;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("no bytes of the answer for " + idleTimeoutMs + " ms");
                }
                arrived.awaitNanos(left);
            }
            Buffer head = chunks.peekFirst();
            int n = Math.min(length, head.length() - headRead);
            head.getBytes(headRead, headRead + n, into, offset);
            headRead += n;
            if (headRead == head.length()) {
                chunks.pollFirst();
                headRead = 0;
            }
            queued -= n;
            if (paused && queued < LOW_WATER && !resumePosted) {
                resumePosted = true;
                context.runOnContext(v -> flow());
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the answer", e);
        } finally {
            lock.unlock();
        }
    }

    /** Drops what was received; if the answer has not ended, resets the request so that no more comes. */
    @Override
    public void close() {
        boolean reset;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            reset = !ended && failure == null;
            chunks.clear();
            queued = 0;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        if (reset) {
            context.runOnContext(v -> response.request().reset());
        }
    }
}
