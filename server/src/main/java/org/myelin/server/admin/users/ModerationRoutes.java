package org.myelin.server.admin.users;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.admin.AdminParams;
import org.myelin.server.admin.AdminRestrictions;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.accounts.AdminUserRepository;
import org.myelin.storage.accounts.RateLimitOverrideRepository;

/**
 * Shadow bans and rate-limit overrides (Synapse's admin API, "Controlling whether a user is
 * shadow-banned", "Override ratelimiting for users"). A shadow-banned user's sends are answered
 * with an event id and persisted nowhere; an override replaces the message rate limit of one user
 * ({@code messages_per_second} 0: not limited).
 */
public final class ModerationRoutes implements Routes {

    private static final String USERS = "/_synapse/admin/v1/users/:userId";

    record RateLimit(int messagesPerSecond, int burstCount) {}

    private final AdminAuth auth;
    private final AdminUserRepository users;
    private final RateLimitOverrideRepository overrides;
    private final AdminRestrictions restrictions;
    private final String serverName;

    ModerationRoutes(AdminAuth auth, AdminUserRepository users, RateLimitOverrideRepository overrides,
                     AdminRestrictions restrictions, String serverName) {
        this.auth = auth;
        this.users = users;
        this.overrides = overrides;
        this.restrictions = restrictions;
        this.serverName = serverName;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post(USERS + "/shadow_ban").handler(handlers.blocking(ctx -> shadowBan(ctx, true)));
        router.delete(USERS + "/shadow_ban").handler(handlers.blocking(ctx -> shadowBan(ctx, false)));
        router.get(USERS + "/override_ratelimit").handler(handlers.blocking(this::showOverride));
        router.post(USERS + "/override_ratelimit").handler(handlers.blocking(this::setOverride));
        router.delete(USERS + "/override_ratelimit").handler(handlers.blocking(this::deleteOverride));
    }

    /** {@code POST} and {@code DELETE /_synapse/admin/v1/users/{userId}/shadow_ban}. */
    JsonResponse shadowBan(RoutingContext ctx, boolean banned) {
        String userId = knownLocalUser(ctx, "Only local users can be shadow-banned");
        users.setShadowBanned(userId, banned);
        restrictions.changed(userId);
        return JsonResponse.empty();
    }

    /** {@code GET /_synapse/admin/v1/users/{userId}/override_ratelimit}: the override, or {@code {}}. */
    JsonResponse showOverride(RoutingContext ctx) {
        String userId = knownLocalUser(ctx, "Can only look up local users");
        return overrides.find(userId).map(o -> JsonResponse.ok(new RateLimit(o.messagesPerSecond(), o.burstCount())))
                .orElseGet(JsonResponse::empty);
    }

    /** {@code POST /_synapse/admin/v1/users/{userId}/override_ratelimit}: both values default to 0. */
    JsonResponse setOverride(RoutingContext ctx) {
        String userId = knownLocalUser(ctx, "Only local users can be ratelimited");
        JsonNode body = Params.optionalObject(ctx, Json.BodyKind.DATA);
        int perSecond = nonNegative(body, "messages_per_second");
        int burst = nonNegative(body, "burst_count");
        overrides.set(userId, new RateLimitOverrideRepository.Limit(perSecond, burst));
        restrictions.changed(userId);
        return JsonResponse.ok(new RateLimit(perSecond, burst));
    }

    /** {@code DELETE /_synapse/admin/v1/users/{userId}/override_ratelimit}. */
    JsonResponse deleteOverride(RoutingContext ctx) {
        String userId = knownLocalUser(ctx, "Only local users can be ratelimited");
        overrides.delete(userId);
        restrictions.changed(userId);
        return JsonResponse.empty();
    }

    private String knownLocalUser(RoutingContext ctx, String notLocal) {
        auth.requireAdmin(ctx);
        String userId = AdminParams.localUserId(ctx, "userId", serverName, notLocal);
        users.find(userId).orElseThrow(() -> MatrixException.notFound("User not found"));
        return userId;
    }

    private static int nonNegative(JsonNode body, String key) {
        JsonNode value = body == null ? null : body.get(key);
        if (value == null) {
            return 0;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 0) {
            throw MatrixException.invalidParam("'" + key + "' parameter must be a positive int");
        }
        return value.asInt();
    }
}
