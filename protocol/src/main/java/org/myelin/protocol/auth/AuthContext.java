package org.myelin.protocol.auth;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.AuthRuleSet;

/**
 * What every rule after the first few reads: the event, the state it is checked against, the
 * room's create event and power levels, and the rule numbers of the event's room version.
 */
record AuthContext(Pdu event, AuthState state, Pdu create, PowerLevels levels, RuleNumbers n) {

    AuthRuleSet rules() {
        return event.roomVersion().auth();
    }

    String sender() {
        return event.sender();
    }

    long senderLevel() {
        return levels.userLevel(event.sender());
    }

    /** The current membership of {@code userId}; {@code leave} when the state has none. */
    String membershipOf(String userId) {
        String membership = state.membership(userId);
        return membership == null ? "leave" : membership;
    }
}
