package org.myelin.server.streams;

import org.myelin.storage.streams.StreamKind;

/**
 * The streams a /sync token covers (DESIGN.md, "Sync and streams"), in the order their positions
 * appear in the token.
 */
public enum StreamId {
    /** Room events; positions are the events' {@code stream_ordering}. */
    TIMELINE(null),
    RECEIPTS(StreamKind.RECEIPTS),
    /** Typing notifications: in memory only, so positions restart from 0 with the process. */
    TYPING(null),
    ACCOUNT_DATA(StreamKind.ACCOUNT_DATA),
    TO_DEVICE(StreamKind.TO_DEVICE),
    DEVICE_LISTS(StreamKind.DEVICE_LISTS),
    PRESENCE(StreamKind.PRESENCE);

    private final StreamKind stored;

    StreamId(StreamKind stored) {
        this.stored = stored;
    }

    /** The counter in {@code stream_positions} behind this stream, or null (timeline, typing). */
    public StreamKind stored() {
        return stored;
    }
}
