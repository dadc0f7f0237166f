package org.myelin.server.client.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/**
 * Profiles (client-server API, "Profiles"): anyone may read a profile, without an access
 * token (as Synapse by default); only its owner may change it.
 */
public final class ProfileRoutes implements Routes {

    private static final String PROFILE = "/_matrix/client/v3/profile/:userId";
    private static final String FIELD = PROFILE + "/:keyName";

    private final Authenticator authenticator;
    private final ProfileService profiles;

    public ProfileRoutes(Authenticator authenticator, ProfileService profiles) {
        this.authenticator = authenticator;
        this.profiles = profiles;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(PROFILE).handler(handlers.blocking(this::getProfile));
        router.get(FIELD).handler(handlers.blocking(this::getField));
        router.put(FIELD).handler(handlers.blocking(this::putField));
        router.delete(FIELD).handler(handlers.blocking(this::deleteField));
    }

    /**
     * {@code GET /_matrix/client/v3/profile/{userId}} (client-server API, "Profiles"): every
     * field; 404 M_NOT_FOUND for an unknown user or an empty profile.
     */
    JsonResponse getProfile(RoutingContext ctx) {
        String userId = userIdParam(ctx);
        return JsonResponse.ok(profiles.all(userId).orElseThrow(() -> MatrixException.notFound("Profile not found")));
    }

    /**
     * {@code GET /_matrix/client/v3/profile/{userId}/{keyName}} (client-server API,
     * "Profiles"): {@code {keyName: value}}; 404 M_NOT_FOUND when the user or field is unknown.
     */
    JsonResponse getField(RoutingContext ctx) {
        String userId = userIdParam(ctx);
        String key = ctx.pathParam("keyName");
        JsonNode value = profiles.field(userId, key)
                .orElseThrow(() -> MatrixException.notFound("The requested profile key does not exist"));
        return JsonResponse.ok(JsonNodeFactory.instance.objectNode().set(key, value));
    }

    /**
     * {@code PUT /_matrix/client/v3/profile/{userId}/{keyName}} (client-server API, "Profiles"):
     * the body holds the field under its own key. Only the user may set it (403 M_FORBIDDEN);
     * 400 M_MISSING_PARAM without the key, M_INVALID_PARAM for a bad key or value (an avatar
     * must be an {@code mxc://} URI or empty), M_KEY_TOO_LARGE, M_PROFILE_TOO_LARGE.
     */
    JsonResponse putField(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx, true);
        String userId = ownUserId(ctx, requester);
        String key = ctx.pathParam("keyName");
        ProfileFields.checkKey(key);
        JsonNode body = Json.parseBody(ctx);
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        if (!body.has(key)) {
            throw MatrixException.missingParam("Missing '" + key + "' in the request body");
        }
        profiles.set(userId, key, ((ObjectNode) body).get(key));
        return JsonResponse.empty();
    }

    /**
     * {@code DELETE /_matrix/client/v3/profile/{userId}/{keyName}} (client-server API,
     * "Profiles"): removes the field; only the user may (403 M_FORBIDDEN).
     */
    JsonResponse deleteField(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx, true);
        String userId = ownUserId(ctx, requester);
        profiles.delete(userId, ctx.pathParam("keyName"));
        return JsonResponse.empty();
    }

    private static String ownUserId(RoutingContext ctx, Requester requester) {
        String userId = userIdParam(ctx);
        if (!userId.equals(requester.userId())) {
            throw MatrixException.forbidden("You may only change your own profile");
        }
        return userId;
    }

    private static String userIdParam(RoutingContext ctx) {
        String userId = ctx.pathParam("userId");
        if (!UserId.isValid(userId)) {
            throw MatrixException.invalidParam("Invalid user id: " + userId);
        }
        return userId;
    }
}
