package org.myelin.server.admin.users;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.admin.AdminParams;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.accounts.AdminUserRepository;

/** Listing, showing, creating and changing accounts (Synapse's admin API, "User Admin API"). */
public final class UserAdminRoutes implements Routes {

    private static final String V2 = "/_synapse/admin/v2/users";
    private static final List<String> ORDERS = Arrays.stream(AdminUserRepository.Order.values())
            .map(o -> o.name().toLowerCase(Locale.ROOT)).toList();

    private final AdminAuth auth;
    private final AdminUserRepository users;
    private final UserEditor editor;
    private final String serverName;

    UserAdminRoutes(AdminAuth auth, AdminUserRepository users, UserEditor editor, String serverName) {
        this.auth = auth;
        this.users = users;
        this.editor = editor;
        this.serverName = serverName;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(V2).handler(handlers.blocking(ctx -> list(ctx, false)));
        router.get("/_synapse/admin/v3/users").handler(handlers.blocking(ctx -> list(ctx, true)));
        router.get(V2 + "/:userId").handler(handlers.blocking(this::show));
        router.put(V2 + "/:userId").handler(handlers.blocking(this::put));
    }

    /**
     * {@code GET /_synapse/admin/v2/users} and {@code /v3/users} (Synapse's "List Accounts"):
     * {@code from}, {@code limit}, {@code user_id}, {@code name}, {@code guests}, {@code admins},
     * {@code deactivated}, {@code locked}, {@code order_by}, {@code dir}. v2 shows deactivated
     * accounts only with {@code deactivated=true} (and then all); v3 filters by it when given.
     */
    JsonResponse list(RoutingContext ctx, boolean v3) {
        auth.requireAdmin(ctx);
        long from = AdminParams.nonNegative(ctx, "from", 0);
        int limit = AdminParams.limit(ctx, 100);
        Boolean deactivated = AdminParams.bool(ctx, "deactivated");
        if (!v3) {
            deactivated = Boolean.TRUE.equals(deactivated) ? null : Boolean.FALSE;
        }
        String order = AdminParams.oneOf(ctx, "order_by", "name", ORDERS);
        AdminUserRepository.Page page = users.list(new AdminUserRepository.Query(from, limit,
                ctx.request().getParam("user_id"), ctx.request().getParam("name"),
                AdminParams.bool(ctx, "guests", true), deactivated, AdminParams.bool(ctx, "admins"),
                AdminParams.bool(ctx, "locked", false),
                AdminUserRepository.Order.valueOf(order.toUpperCase(Locale.ROOT)), AdminParams.backwards(ctx)));
        String next = from + limit < page.total() ? Long.toString(from + page.users().size()) : null;
        return JsonResponse.ok(new UserViews.Page(page.users().stream().map(UserViews.ListEntry::of).toList(), next,
                page.total()));
    }

    /** {@code GET /_synapse/admin/v2/users/{userId}} (Synapse's "Query User Account"): 404 if unknown. */
    JsonResponse show(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        String userId = AdminParams.localUserId(ctx, "userId", serverName, "Can only look up local users");
        return JsonResponse.ok(details(userId));
    }

    /**
     * {@code PUT /_synapse/admin/v2/users/{userId}} (Synapse's "Create or modify account"): 201
     * with the new account, 200 with the changed one.
     */
    JsonResponse put(RoutingContext ctx) {
        Requester admin = auth.requireAdmin(ctx);
        String userId = AdminParams.localUserId(ctx, "userId", serverName,
                "This endpoint can only be used with local users");
        boolean created = editor.put(admin.userId(), userId, Json.parseBody(ctx));
        return new JsonResponse(created ? 201 : 200, details(userId));
    }

    private UserViews.Details details(String userId) {
        return users.find(userId).map(UserViews.Details::of)
                .orElseThrow(() -> MatrixException.notFound("User not found"));
    }
}
