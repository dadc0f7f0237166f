package org.myelin.rooms.pipeline;

import org.myelin.storage.events.PersistedEvent;

/** What the pipeline did with an input. */
public sealed interface Outcome {

    /** Committed; visible to clients unless it is an outlier. */
    record Accepted(PersistedEvent event) implements Outcome {
    }

    /** Committed but hidden: it passed auth against its own state, not against the room's current state. */
    record SoftFailed(PersistedEvent event) implements Outcome {
    }

    /**
     * Refused. A local event is not stored; a remote one is stored as rejected, so that it is
     * not fetched again.
     *
     * @param rule   the spec rule that rejected it ("format", "signature", "hash" or an auth rule number)
     * @param reason what was wrong
     */
    record Rejected(String eventId, String rule, String reason) implements Outcome {
    }

    default boolean isAccepted() {
        return this instanceof Accepted;
    }
}
