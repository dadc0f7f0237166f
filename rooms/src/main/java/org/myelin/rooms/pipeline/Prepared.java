package org.myelin.rooms.pipeline;

import org.myelin.protocol.event.Pdu;

/**
 * A local event built, hashed, signed and authorised against the room's current state but not
 * committed ({@link RoomEventPipeline#prepare}): an invite of another server's user, which that
 * server countersigns before it is committed as a received event.
 */
public sealed interface Prepared {

    /** Built and allowed by the current state. */
    record Ready(Pdu pdu) implements Prepared {
    }

    /** Refused, as {@link Outcome.Rejected} says why. */
    record Refused(Outcome.Rejected rejected) implements Prepared {
    }
}
