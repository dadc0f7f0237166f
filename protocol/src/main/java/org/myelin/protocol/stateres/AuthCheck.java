package org.myelin.protocol.stateres;

import org.myelin.protocol.auth.AuthResult;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

import java.util.Map;

/**
 * The authorisation rules as state resolution applies them: whether {@code event} is allowed
 * against {@code authState}, the auth events the iterative auth checks chose for it (keyed as the
 * server-server API's "Auth events selection" keys them). Signatures and hashes were checked when
 * the event was received; this is the part of the rules that depends on state.
 */
@FunctionalInterface
public interface AuthCheck {

    AuthResult check(Pdu event, Map<StateKey, Pdu> authState);
}
