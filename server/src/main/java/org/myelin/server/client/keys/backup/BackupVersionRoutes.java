package org.myelin.server.client.keys.backup;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/** Key backup versions (client-server API, "Server-side key backups"). Guests have no backups. */
public final class BackupVersionRoutes implements Routes {

    private static final String VERSION = "/_matrix/client/v3/room_keys/version";

    record Created(String version) {
    }

    private final KeyBackups backups;
    private final Authenticator auth;

    public BackupVersionRoutes(KeyBackups backups, Authenticator auth) {
        this.backups = backups;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post(VERSION).handler(handlers.blocking(this::create));
        router.get(VERSION).handler(handlers.blocking(this::current));
        router.get(VERSION + "/:version").handler(handlers.blocking(this::get));
        router.put(VERSION + "/:version").handler(handlers.blocking(this::update));
        router.delete(VERSION + "/:version").handler(handlers.blocking(this::delete));
    }

    /** {@code POST /_matrix/client/v3/room_keys/version}: a new backup version, which becomes the current one. */
    JsonResponse create(RoutingContext ctx) {
        String userId = auth.require(ctx).userId();
        return JsonResponse.ok(new Created(backups.create(userId, Json.parseBody(ctx))));
    }

    /** {@code GET /_matrix/client/v3/room_keys/version}: the current version, with its {@code count} and {@code etag}. */
    JsonResponse current(RoutingContext ctx) {
        return JsonResponse.ok(backups.current(auth.require(ctx).userId()));
    }

    /** {@code GET /_matrix/client/v3/room_keys/version/{version}}. */
    JsonResponse get(RoutingContext ctx) {
        return JsonResponse.ok(backups.version(auth.require(ctx).userId(), Params.path(ctx, "version")));
    }

    /** {@code PUT /_matrix/client/v3/room_keys/version/{version}}: only {@code auth_data} changes. */
    JsonResponse update(RoutingContext ctx) {
        String userId = auth.require(ctx).userId();
        backups.update(userId, Params.path(ctx, "version"), Json.parseBody(ctx));
        return JsonResponse.empty();
    }

    /** {@code DELETE /_matrix/client/v3/room_keys/version/{version}}: the version and all its keys. */
    JsonResponse delete(RoutingContext ctx) {
        backups.delete(auth.require(ctx).userId(), Params.path(ctx, "version"));
        return JsonResponse.empty();
    }
}
