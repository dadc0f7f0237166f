package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.event.Pdu;

/**
 * Whether an event carries a valid signature of a server, for the rule "if the event is not
 * validly signed by the homeserver of the user ID denoted by {@code join_authorised_via_users_server},
 * reject" (room versions 8+). The caller looks up keys; the rules stay pure.
 */
@FunctionalInterface
public interface SignatureCheck {

    /** Whether {@code event} is validly signed by {@code serverName}. */
    boolean isSignedBy(Pdu event, String serverName);

    /**
     * For events whose signatures were all verified when they were received (as in state
     * resolution, which re-runs the rules on stored events): a server signed the event if its
     * signature is present.
     */
    static SignatureCheck verifiedOnReceipt() {
        return (event, serverName) -> {
            JsonNode signatures = event.json().path("signatures").path(serverName);
            return signatures.isObject() && !signatures.isEmpty();
        };
    }
}
