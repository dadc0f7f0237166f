package org.myelin.server.client.auth;

import org.myelin.server.http.JsonResponse;

/**
 * What {@link UserInteractiveAuth#authenticate} decided: the request may proceed, or the
 * handler must answer with the 401 challenge.
 *
 * <pre>{@code
 * if (uia.authenticate(operation, body.auth(), flows) instanceof UiaOutcome.Challenge c) {
 *     return c.response();
 * }
 * }</pre>
 */
public sealed interface UiaOutcome {

    /** Every stage of a flow is complete. */
    record Authenticated(UiaSession session) implements UiaOutcome {}

    /**
     * More is needed: answer with this 401 (flows, params, session, completed, maybe an error).
     * The session is there for endpoints that remember a request's parameters for its next step.
     */
    record Challenge(UiaSession session, JsonResponse response) implements UiaOutcome {}
}
