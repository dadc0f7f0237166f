package org.myelin.protocol.stateres;

import org.myelin.protocol.auth.PowerLevels;
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

    long senderLevel(Pdu event, Map<StateKey, Pdu> authEvents);

    /**
     * The levels of {@code protocol.auth} ({@link PowerLevels}): the sender's entry in
     * {@code users}, else {@code users_default}; without power levels 100 for the creator, 0 for
     * others; from room version 12, {@link PowerLevels#INFINITE} for the creators.
     */
    static PowerLevelLookup standard() {
        return (event, authEvents) -> PowerLevels.of(event.roomVersion().auth(),
                authEvents.get(StateKey.powerLevels()), authEvents.get(StateKey.create())).userLevel(event.sender());
    }
}
