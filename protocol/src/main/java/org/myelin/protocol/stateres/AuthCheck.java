package org.myelin.protocol.stateres;

import org.myelin.protocol.auth.AuthResult;
import org.myelin.protocol.auth.AuthState;
import org.myelin.protocol.auth.EventAuth;
import org.myelin.protocol.auth.SignatureCheck;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

import java.util.Map;

/**
 * The authorisation rules as state resolution applies them: whether {@code event} is allowed
 * against {@code authState}, the auth events the algorithm chose for it, keyed as the
 * server-server API's "Auth events selection" keys them (with the create event under its key in
 * room version 12 too). Signatures and hashes were checked when the event was received.
 */
@FunctionalInterface
public interface AuthCheck {

    AuthResult check(Pdu event, Map<StateKey, Pdu> authState);

    /**
     * The rules of {@code protocol.auth} ({@link EventAuth#check}); the signature of
     * {@code join_authorised_via_users_server}'s server was verified on receipt.
     */
    static AuthCheck standard() {
        return (event, authState) -> EventAuth.check(event, AuthState.of(authState), SignatureCheck.verifiedOnReceipt());
    }
}
