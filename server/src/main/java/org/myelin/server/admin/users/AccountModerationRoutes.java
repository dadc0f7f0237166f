package org.myelin.server.admin.users;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.admin.AdminParams;
import org.myelin.server.admin.AdminRestrictions;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.protocol.id.UserId;
import org.myelin.storage.accounts.AdminUser;
import org.myelin.storage.accounts.AdminUserRepository;

/**
 * Account locking and suspension by server admins (client-server API, "Server administration":
 * {@code /_matrix/client/v1/admin/lock/{userId}} and {@code /admin/suspend/{userId}}). A locked
 * user's tokens are refused with 401 M_USER_LOCKED; a suspended user may read but not send, join
 * or invite (403 M_USER_SUSPENDED). An admin may not lock or suspend themselves nor another admin.
 */
public final class AccountModerationRoutes implements Routes {

    record Locked(boolean locked) {}

    record Suspended(boolean suspended) {}

    private final AdminAuth auth;
    private final AdminUserRepository users;
    private final AdminRestrictions restrictions;
    private final String serverName;

    AccountModerationRoutes(AdminAuth auth, AdminUserRepository users, AdminRestrictions restrictions,
                            String serverName) {
        this.auth = auth;
        this.users = users;
        this.restrictions = restrictions;
        this.serverName = serverName;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v1/admin/lock/:userId").handler(handlers.blocking(
                ctx -> JsonResponse.ok(new Locked(target(ctx).locked()))));
        router.put("/_matrix/client/v1/admin/lock/:userId").handler(handlers.blocking(this::lock));
        router.get("/_matrix/client/v1/admin/suspend/:userId").handler(handlers.blocking(
                ctx -> JsonResponse.ok(new Suspended(target(ctx).suspended()))));
        router.put("/_matrix/client/v1/admin/suspend/:userId").handler(handlers.blocking(this::suspend));
    }

    /** {@code PUT /_matrix/client/v1/admin/lock/{userId}}: {@code {"locked": bool}}. */
    JsonResponse lock(RoutingContext ctx) {
        AdminUser user = changeable(ctx);
        boolean locked = flag(ctx, "locked");
        users.setLocked(user.userId(), locked);
        return JsonResponse.ok(new Locked(locked));
    }

    /** {@code PUT /_matrix/client/v1/admin/suspend/{userId}}: {@code {"suspended": bool}}. */
    JsonResponse suspend(RoutingContext ctx) {
        AdminUser user = changeable(ctx);
        boolean suspended = flag(ctx, "suspended");
        users.setSuspended(user.userId(), suspended);
        restrictions.changed(user.userId());
        return JsonResponse.ok(new Suspended(suspended));
    }

    /** The target account: a local, active one (400 M_INVALID_PARAM, 404 M_NOT_FOUND otherwise). */
    private AdminUser target(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        String userId = AdminParams.userId(ctx, "userId");
        if (!UserId.parse(userId).server().toString().equals(serverName)) {
            throw MatrixException.invalidParam("The user is not of this server");
        }
        return users.find(userId).filter(u -> !u.deactivated())
                .orElseThrow(() -> MatrixException.notFound("User not found"));
    }

    private AdminUser changeable(RoutingContext ctx) {
        Requester admin = auth.requireAdmin(ctx);
        AdminUser user = target(ctx);
        if (user.userId().equals(admin.userId())) {
            throw MatrixException.forbidden("You cannot lock or suspend your own account");
        }
        if (user.isAdmin()) {
            throw MatrixException.forbidden("You cannot lock or suspend another server admin");
        }
        return user;
    }

    private static boolean flag(RoutingContext ctx, String key) {
        JsonNode value = Json.parseBody(ctx).get(key);
        if (value == null) {
            throw MatrixException.missingParam("Missing '" + key + "'");
        }
        if (!value.isBoolean()) {
            throw MatrixException.badJson("'" + key + "' must be a boolean");
        }
        return value.asBoolean();
    }
}
