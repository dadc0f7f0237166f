package org.myelin.server.admin;

import io.vertx.ext.web.Router;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/**
 * {@code GET /_synapse/admin/v1/server_version} (Synapse's admin API, "Version API"): the server's
 * version. Unauthenticated, as in Synapse: the same version is public at
 * {@code /_matrix/federation/v1/version}, and tools ask it before they log in.
 */
public final class ServerVersionRoutes implements Routes {

    record Version(String serverVersion) {}

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_synapse/admin/v1/server_version").handler(handlers.blocking(ctx -> JsonResponse.ok(
                new Version(version()))));
    }

    /** The version in the jar's manifest, or the development version when run from classes. */
    static String version() {
        String v = ServerVersionRoutes.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}
