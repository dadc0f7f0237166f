package org.myelin.server.client.presence;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.id.UserId;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** Presence (client-server API, "Presence"): one's own, and that of users one shares a room with. */
public final class PresenceRoutes implements Routes {

    private static final String STATUS = "/_matrix/client/v3/presence/:userId/status";

    /** The body of {@code PUT /presence/{userId}/status}. */
    record SetPresence(String presence, JsonNode statusMsg) {}

    private final Authenticator authenticator;
    private final PresenceService presence;
    private final PresenceVisibility visibility;

    public PresenceRoutes(Authenticator authenticator, PresenceService presence, PresenceVisibility visibility) {
        this.authenticator = authenticator;
        this.presence = presence;
        this.visibility = visibility;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(STATUS).handler(handlers.blocking(this::getStatus));
        router.put(STATUS).handler(handlers.blocking(this::putStatus));
    }

    /**
     * {@code GET /_matrix/client/v3/presence/{userId}/status} (client-server API, "Presence"):
     * 404 M_NOT_FOUND for an unknown local user, 403 M_FORBIDDEN for a user who shares no room
     * with the requester.
     */
    JsonResponse getStatus(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        String userId = userIdParam(ctx);
        switch (visibility.check(requester.userId(), userId)) {
            case UNKNOWN_USER -> throw MatrixException.notFound("Unknown user " + userId);
            case FORBIDDEN -> throw MatrixException.forbidden("You are not allowed to see their presence");
            case VISIBLE -> { }
        }
        return JsonResponse.ok(presence.get(userId));
    }

    /**
     * {@code PUT /_matrix/client/v3/presence/{userId}/status} (client-server API, "Presence"):
     * only one's own (403 M_FORBIDDEN); {@code presence} is {@code online}, {@code unavailable}
     * or {@code offline} (400 M_INVALID_PARAM otherwise).
     */
    JsonResponse putStatus(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        String userId = userIdParam(ctx);
        if (!userId.equals(requester.userId())) {
            throw MatrixException.forbidden("You may only set your own presence");
        }
        SetPresence body = Json.bind(ctx, SetPresence.class);
        if (body.presence() == null) {
            throw MatrixException.missingParam("Missing 'presence'");
        }
        PresenceState state = PresenceState.fromWire(body.presence())
                .orElseThrow(() -> MatrixException.invalidParam("Invalid presence state: " + body.presence()));
        if (body.statusMsg() != null && !body.statusMsg().isTextual() && !body.statusMsg().isNull()) {
            throw MatrixException.invalidParam("'status_msg' must be a string");
        }
        if (body.statusMsg() != null && !PresenceStatus.withinLimit(body.statusMsg().textValue())) {
            throw MatrixException.tooLarge("'status_msg' is longer than " + PresenceStatus.MAX_STATUS_MSG_LENGTH
                    + " characters").withStatus(400);
        }
        presence.set(userId, state, body.statusMsg() == null ? null : body.statusMsg().textValue());
        return JsonResponse.empty();
    }

    private static String userIdParam(RoutingContext ctx) {
        String userId = ctx.pathParam("userId");
        if (!UserId.isValid(userId)) {
            throw MatrixException.invalidParam("Invalid user id: " + userId);
        }
        return userId;
    }
}
