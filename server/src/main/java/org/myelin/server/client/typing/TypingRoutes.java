package org.myelin.server.client.typing;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.rooms.MembershipRepository;

/** Typing notifications (client-server API, "Typing Notifications"). */
public final class TypingRoutes implements Routes {

    /** How long a user types when the request does not say (as Synapse). */
    static final long DEFAULT_TIMEOUT_MS = 30_000;

    /** The body of {@code PUT .../typing/{userId}}. */
    record TypingRequest(Boolean typing, Long timeout) {
        TypingRequest {
            if (typing == null) {
                throw MatrixException.badJson("Missing 'typing'");
            }
            if (timeout != null && timeout < 0) {
                throw MatrixException.badJson("'timeout' must not be negative");
            }
        }
    }

    private final TypingNotifications typing;
    private final MembershipRepository memberships;
    private final Authenticator auth;

    public TypingRoutes(TypingNotifications typing, MembershipRepository memberships, Authenticator auth) {
        this.typing = typing;
        this.memberships = memberships;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.put("/_matrix/client/v3/rooms/:roomId/typing/:userId").handler(handlers.blocking(this::setTyping));
    }

    /**
     * {@code PUT /_matrix/client/v3/rooms/{roomId}/typing/{userId}} (client-server API, "Typing
     * Notifications"): only for oneself (403), only in a room one is joined to (403); the timeout
     * is capped at {@link TypingNotifications#MAX_TIMEOUT_MS}.
     */
    JsonResponse setTyping(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        String roomId = Params.roomId(ctx, "roomId");
        if (!requester.userId().equals(Params.path(ctx, "userId"))) {
            throw MatrixException.forbidden("Cannot set another user's typing state");
        }
        TypingRequest body = Json.bind(ctx, TypingRequest.class);
        boolean joined = memberships.of(roomId, requester.userId()).map(m -> m.membership().equals("join"))
                .orElse(false);
        if (!joined) {
            throw MatrixException.forbidden("You are not in room " + roomId);
        }
        long timeout = body.timeout() == null ? DEFAULT_TIMEOUT_MS : body.timeout();
        typing.set(roomId, requester.userId(), body.typing(), timeout);
        return JsonResponse.empty();
    }
}
