package org.myelin.protocol.version;

/** How events of a room version name themselves and their edges. */
public enum EventFormat {
    /**
     * Room versions 1 and 2: the event carries its own {@code event_id} ({@code $opaque:domain})
     * and {@code prev_events}/{@code auth_events} are {@code [event_id, {hashes}]} pairs.
     */
    EVENT_ID_IN_EVENT,
    /** Room version 3: the event id is the reference hash in standard unpadded base64. */
    REFERENCE_HASH,
    /** Room versions 4 and later: the reference hash in URL-safe unpadded base64. */
    URL_SAFE_REFERENCE_HASH;

    /** Whether event ids are derived from the event rather than carried in it. */
    public boolean eventIdIsHash() {
        return this != EVENT_ID_IN_EVENT;
    }
}
