package org.myelin.server.admin;

import io.vertx.ext.web.RoutingContext;
import java.util.function.Predicate;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.MatrixException;

/**
 * The gate of every admin endpoint (Synapse's {@code assert_requester_is_admin}): 401 without a
 * valid access token, 403 M_FORBIDDEN unless its user is a server admin.
 */
public final class AdminAuth {

    private final Authenticator authenticator;
    private final Predicate<String> isAdmin;

    /** @param isAdmin whether a user id is a server admin's (an active account with the admin flag) */
    public AdminAuth(Authenticator authenticator, Predicate<String> isAdmin) {
        this.authenticator = authenticator;
        this.isAdmin = isAdmin;
    }

    /** The admin making the request, or the error that refuses it. */
    public Requester requireAdmin(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx, true);
        if (!isAdmin.test(requester.userId())) {
            throw MatrixException.forbidden("You are not a server admin");
        }
        return requester;
    }

    /** The requester, admin or not (for endpoints a user may also call about themselves). */
    public Requester require(RoutingContext ctx) {
        return authenticator.require(ctx, true);
    }

    /** Whether {@code userId} is a server admin. */
    public boolean isAdmin(String userId) {
        return isAdmin.test(userId);
    }
}
