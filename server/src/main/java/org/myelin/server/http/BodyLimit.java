package org.myelin.server.http;

/**
 * The largest request body a route reads into memory before its handler runs; past it the
 * request is answered 413 {@code M_TOO_LARGE} at once, from its {@code Content-Length} or
 * from the bytes received so far, and the rest is never held. Every route takes
 * {@link #JSON} unless it is mounted with another limit
 * ({@link Handlers#blocking(BodyLimit, BlockingHandler)}).
 *
 * <p>Only bodies that fit in memory go this way. A route that takes large bodies (media
 * upload) must not buffer them: it is mounted with {@link Handlers#streamed}, which runs its
 * handler with the body still unread, so that it authenticates the request first and then
 * streams the body to disk, up to {@code media.max_upload_size}.
 */
public record BodyLimit(long maxBytes) {

    /** An event is at most 64 KiB in its canonical JSON (server-server API, "Size limits"). */
    public static final long EVENT_BYTES = 65_536;

    /**
     * Every JSON endpoint unless it says otherwise: one event of 64 KiB, with room for the
     * envelope around it and for JSON that is not canonical (spaces, escapes).
     */
    public static final BodyLimit JSON = new BodyLimit(2 * EVENT_BYTES);

    /**
     * {@code PUT /_matrix/federation/v1/send/{txnId}}: up to 50 PDUs and 100 EDUs, each up to
     * 64 KiB, and a third more for senders whose JSON is not canonical: 200 × 64 KiB
     * (12.5 MiB), the limit Synapse applies to every federation request.
     */
    public static final BodyLimit TRANSACTION = new BodyLimit(200 * EVENT_BYTES);

    /**
     * {@code PUT /_matrix/federation/v1|v2/invite/{roomId}/{eventId}}: the invite event and the
     * stripped state that comes with it, which the invite's receiver bounds on its own (up to
     * 512 KiB, so that a genuine invite to a room with a long topic or many state events works):
     * 16 × 64 KiB. A larger body is refused before it is read.
     */
    public static final BodyLimit INVITE = new BodyLimit(16 * EVENT_BYTES);

    /**
     * {@code PUT} of account data and of a room tag: content up to 1 MiB. Synapse sets no limit
     * but its request size; this one keeps a client from making each of its own syncs carry
     * megabytes, and leaves room for a large {@code m.direct}.
     */
    public static final BodyLimit ACCOUNT_DATA = new BodyLimit(16 * EVENT_BYTES);

    public BodyLimit {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
    }
}
