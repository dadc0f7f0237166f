package org.myelin.server.client;

import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

/** Which versions of the client-server API this server speaks. */
public final class VersionsRoutes implements Routes {

    /**
     * The spec versions advertised. v1.1 is where global spec versioning starts (spec,
     * "Specification Versions"); every version up to the one Myelin targets is listed, as
     * clients look for the oldest they need.
     */
    static final List<String> VERSIONS = List.of("v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8",
            "v1.9", "v1.10", "v1.11", "v1.12", "v1.13", "v1.14", "v1.15", "v1.16");

    /**
     * The unstable features advertised, as Synapse advertises them: simplified sliding sync
     * (MSC4186), which clients such as Element X look for before they use it.
     */
    static final Map<String, Boolean> UNSTABLE_FEATURES = Map.of("org.matrix.simplified_msc3575", true);

    /** The body of {@code GET /_matrix/client/versions}. */
    record VersionsResponse(List<String> versions, Map<String, Boolean> unstableFeatures) {}

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/versions").handler(handlers.blocking(ctx -> versions()));
    }

    /**
     * {@code GET /_matrix/client/versions} (client-server API, "API Versions"): no auth.
     */
    JsonResponse versions() {
        return JsonResponse.ok(new VersionsResponse(VERSIONS, UNSTABLE_FEATURES));
    }
}
