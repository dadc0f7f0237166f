package org.myelin.protocol.stateres;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

/**
 * Power events (v2 "Definitions"):
 *
 * <blockquote>A power event is a state event with type {@code m.room.power_levels} or
 * {@code m.room.join_rules}, or a state event with type {@code m.room.member} where the
 * {@code membership} is {@code leave} or {@code ban} and the {@code sender} does not match the
 * {@code state_key}. The idea behind this is that power events are events that might remove
 * someone's ability to do something in the room.</blockquote>
 *
 * <p>As Synapse and ruma do, power levels and join rules count with the empty state key only (the
 * only one the auth rules read), and {@code m.room.create} counts too: should it ever be
 * conflicted, it must be replayed before everything it authorises, not mainline-sorted after it.
 */
final class PowerEvents {

    private PowerEvents() {
    }

    static boolean isPowerEvent(Pdu event) {
        if (!event.isState()) {
            return false;
        }
        if (event.is(StateKey.POWER_LEVELS, "") || event.is(StateKey.JOIN_RULES, "") || event.is(StateKey.CREATE, "")) {
            return true;
        }
        if (!StateKey.MEMBER.equals(event.type())) {
            return false;
        }
        String membership = event.membership();
        return ("leave".equals(membership) || "ban".equals(membership)) && !event.sender().equals(event.stateKey());
    }
}
