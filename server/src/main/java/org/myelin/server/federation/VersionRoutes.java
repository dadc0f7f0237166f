package org.myelin.server.federation;

import io.vertx.ext.web.Router;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/** Which implementation this server is. */
final class VersionRoutes implements Routes {

    static final String NAME = "Myelin";

    record Server(String name, String version) {
    }

    record VersionResponse(Server server) {
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/federation/v1/version").handler(handlers.blocking(ctx -> version()));
    }

    /** {@code GET /_matrix/federation/v1/version} (server-server API, "Server implementation"): no authentication. */
    JsonResponse version() {
        return JsonResponse.ok(new VersionResponse(new Server(NAME, version(VersionRoutes.class))));
    }

    /** The version in the jar's manifest, or the development version when run from classes. */
    static String version(Class<?> from) {
        String v = from.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}
