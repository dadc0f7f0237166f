package org.myelin.server.federation;

import io.vertx.ext.web.Router;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Routes;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network partition for tests, on a homeserver's federation listener: authenticated requests
 * from the servers it is cut off from are answered 503 before anything else sees them, as if they
 * never arrived. Key requests (unauthenticated) pass, as a notary's answer would.
 */
final class PartitionFilter implements Routes {

    private static final Pattern ORIGIN = Pattern.compile("origin=\"?([^\",]+)\"?");

    private final Set<String> cutOff = ConcurrentHashMap.newKeySet();

    void cutOff(String server) {
        cutOff.add(server);
    }

    void heal() {
        cutOff.clear();
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.route().order(-1).handler(ctx -> {
            String authorization = ctx.request().getHeader("Authorization");
            if (authorization != null && !cutOff.isEmpty()) {
                Matcher m = ORIGIN.matcher(authorization);
                if (m.find() && cutOff.contains(m.group(1))) {
                    ctx.response().setStatusCode(503).end("{\"errcode\":\"M_UNKNOWN\",\"error\":\"partitioned\"}");
                    return;
                }
            }
            ctx.next();
        });
    }
}
