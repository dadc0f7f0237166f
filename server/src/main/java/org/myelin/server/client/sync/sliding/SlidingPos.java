package org.myelin.server.client.sync.sliding;

import org.myelin.server.streams.SyncToken;

import java.util.Objects;

/**
 * A sliding sync {@code pos} (MSC4186): the connection's position, which names what the server
 * remembers having sent on the connection, and a position in every stream; on the wire
 * {@code <connection position>/<sync token>}, as Synapse's {@code SlidingSyncStreamToken}. A
 * connection position of 0 names nothing remembered (no list or subscription was asked for).
 */
public record SlidingPos(long connection, SyncToken streams) {

    public SlidingPos {
        Objects.requireNonNull(streams, "streams");
        if (connection < 0) {
            throw new IllegalArgumentException("negative connection position");
        }
    }

    /** Parses the wire form; {@link IllegalArgumentException} if it is not one of ours. */
    public static SlidingPos parse(String pos) {
        int slash = pos.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("not a sliding sync position");
        }
        try {
            return new SlidingPos(Long.parseLong(pos.substring(0, slash)), SyncToken.parse(pos.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a sliding sync position", e);
        }
    }

    @Override
    public String toString() {
        return connection + "/" + streams;
    }
}
