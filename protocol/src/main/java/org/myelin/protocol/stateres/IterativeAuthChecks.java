package org.myelin.protocol.stateres;

import org.myelin.protocol.auth.AuthEventsSelection;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

import java.util.List;
import java.util.Map;

/**
 * The iterative auth checks algorithm (v2 "Definitions"), steps 2 and 4 of the algorithm:
 *
 * <blockquote>The iterative auth checks algorithm takes as input an initial room state and a sorted
 * list of state events, and constructs a new room state by iterating through the event list and
 * applying the state event to the room state if the state event is allowed by the authorisation
 * rules. If the state event is not allowed by the authorisation rules, then the event is ignored.
 * If a {@code (event_type, state_key)} key that is required for checking the authorisation rules
 * is not present in the state, then the appropriate state event from the event's
 * {@code auth_events} is used if the auth event is not rejected.</blockquote>
 *
 * <p>The keys "required for checking" are those of the auth events selection
 * ({@link AuthEventsSelection}); each is taken from the partial state when it holds the key, else
 * from the event's own {@code auth_events}. Rejected events are never used as auth events ("Rejected
 * auth events are deliberately excluded"); the events being checked are re-authorised whatever
 * their earlier verdict ("handled as usual by the algorithm").
 */
final class IterativeAuthChecks {

    private IterativeAuthChecks() {
    }

    /** Applies each event of {@code sorted} that the rules allow to {@code state}, in order. */
    static void apply(List<Pdu> sorted, PartialState state, ResolutionEvents events, AuthCheck auth) {
        for (Pdu event : sorted) {
            if (!event.isState()) {
                continue;
            }
            if (auth.check(event, authStateFor(event, state, events)).isAllowed()) {
                state.put(new StateKey(event.type(), event.stateKey()), event.eventId());
            }
        }
    }

    /** The auth events for {@code event}: its own, replaced by the partial state's where it has them. */
    static Map<StateKey, Pdu> authStateFor(Pdu event, PartialState state, ResolutionEvents events) {
        Map<StateKey, Pdu> authState = events.ownAuthEvents(event, true);
        for (StateKey key : AuthEventsSelection.requiredFor(event)) {
            String id = state.get(key);
            if (id == null || events.isRejected(id)) {
                continue;
            }
            Pdu current = events.get(id);
            if (current != null) {
                authState.put(key, current);
            }
        }
        return authState;
    }
}
