package org.myelin.protocol.stateres;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

import java.util.Map;

/**
 * The power level of an event's sender "when looking at their respective {@code auth_event}s"
 * (v2 "Reverse topological power ordering"): read from the {@code m.room.power_levels} and
 * {@code m.room.create} events among {@code authEvents}.
 */
@FunctionalInterface
public interface PowerLevelLookup {

    /** The level of room creators in room version 12 and later, above every power level. */
    long INFINITE = Long.MAX_VALUE;

    long senderLevel(Pdu event, Map<StateKey, Pdu> authEvents);
}
