package org.myelin.server.client.auth;

import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/**
 * Finds the {@link Requester} of a client request from its access token, taken from the
 * {@code Authorization: Bearer} header or, deprecated but still used, the {@code access_token}
 * query parameter.
 */
public interface Authenticator {

    /**
     * The requester; 401 {@code M_MISSING_TOKEN} when the request has no token, 401
     * {@code M_UNKNOWN_TOKEN} when the token is unknown, expired or revoked. Guests are refused
     * (403 {@code M_GUEST_ACCESS_FORBIDDEN}) unless {@code allowGuests}.
     */
    Requester require(RoutingContext ctx, boolean allowGuests);

    /** As {@link #require(RoutingContext, boolean)} with guests refused. */
    default Requester require(RoutingContext ctx) {
        return require(ctx, false);
    }

    /** The requester if the request carries a valid token, empty if it carries none. */
    Optional<Requester> optional(RoutingContext ctx);
}
