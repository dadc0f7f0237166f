package org.myelin.protocol.auth;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The room state an event is authorised against: its auth events, the state before it, or the
 * current state (server-server API, "Checks performed on receipt of a PDU"); the caller
 * decides which. Only the entries the rules read are asked for: {@code m.room.create},
 * {@code m.room.power_levels}, {@code m.room.join_rules}, {@code m.room.member} and
 * {@code m.room.third_party_invite}.
 *
 * <p>In room version 12 the create event is never among an event's auth events, but the rules
 * still read it: the caller puts it under {@link StateKey#create()} all the same.
 */
@FunctionalInterface
public interface AuthState {

    /** The event in the state under {@code key}, or null when there is none. */
    Pdu get(StateKey key);

    /** A view of {@code state}; the map is read, not copied. */
    static AuthState of(Map<StateKey, Pdu> state) {
        return state::get;
    }

    /**
     * The state made of {@code events}, each under its own type and state key.
     *
     * @throws IllegalArgumentException if an event is not a state event or two share a key
     */
    static AuthState of(Collection<Pdu> events) {
        Map<StateKey, Pdu> state = new HashMap<>();
        for (Pdu event : events) {
            StateKey key = event.stateEntry()
                    .orElseThrow(() -> new IllegalArgumentException(event + " is not a state event"));
            Pdu previous = state.putIfAbsent(key, event);
            if (previous != null && !previous.equals(event)) {
                throw new IllegalArgumentException(previous + " and " + event + " share the state key " + key);
            }
        }
        return state::get;
    }

    /** The membership of {@code userId} ({@code join}, {@code invite}, ...), or null when there is none. */
    default String membership(String userId) {
        Pdu member = get(StateKey.member(userId));
        return member == null ? null : member.membership();
    }
}
