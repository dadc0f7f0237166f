package org.myelin.protocol.auth;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Rule 2 (3 in room version 12), "considering the event's {@code auth_events}": the list
 * itself must be a proper selection from the room's state.
 */
final class AuthEventsRules {

    private AuthEventsRules() {
    }

    static AuthResult check(Pdu event, List<Pdu> authEvents, Predicate<Pdu> rejected) {
        if (event.type().equals(StateKey.CREATE)) {
            // Rule 1 decides create events; they have no auth events to consider.
            return AuthResult.allowed();
        }
        RuleNumbers n = RuleNumbers.of(event.roomVersion().auth());
        Map<String, Pdu> byId = new HashMap<>();
        for (Pdu authEvent : authEvents) {
            byId.put(authEvent.eventId(), authEvent);
        }
        Set<StateKey> allowed = AuthEventsSelection.requiredFor(event);
        Set<StateKey> seen = new HashSet<>();
        for (String id : event.authEventIds()) {
            Pdu authEvent = byId.get(id);
            if (authEvent == null) {
                throw new IllegalArgumentException("auth event " + id + " of " + event + " was not supplied");
            }
            StateKey key = authEvent.stateEntry().orElse(null);
            if (key != null && !seen.add(key)) {
                return AuthResult.rejected(n.authEvents(1), "two auth events for " + key);
            }
            if (key == null || !allowed.contains(key)) {
                return AuthResult.rejected(n.authEvents(2), "auth event " + id + " (" + authEvent.type()
                        + (key == null ? ", not state" : " " + key.stateKey()) + ") is not in the auth events selection");
            }
            if (rejected.test(authEvent)) {
                return AuthResult.rejected(n.authEvents(3), "auth event " + id + " was rejected");
            }
        }
        if (!event.roomVersion().auth().roomIdIsCreateEventHash() && !seen.contains(StateKey.create())) {
            return AuthResult.rejected(n.authEvents(4), "no m.room.create among the auth events");
        }
        for (String id : event.authEventIds()) {
            Pdu authEvent = byId.get(id);
            if (!authEvent.roomId().equals(event.roomId())) {
                return AuthResult.rejected(n.authEvents(5), "auth event " + id + " is in room " + authEvent.roomId()
                        + ", not " + event.roomId());
            }
        }
        return AuthResult.allowed();
    }
}
