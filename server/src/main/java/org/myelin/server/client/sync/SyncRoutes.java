package org.myelin.server.client.sync;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.client.sync.filter.Filters;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.server.streams.SyncToken;

import java.util.Set;

/** Syncing (client-server API, "Syncing"). */
public final class SyncRoutes implements Routes {

    static final Set<String> PRESENCE_STATES = Set.of("online", "unavailable", "offline");

    private final Sync sync;
    private final Filters filters;
    private final Authenticator auth;
    /** Requests with a timeout being answered, most of them waiting for something to happen. */
    private final java.util.concurrent.atomic.AtomicInteger longPolls = new java.util.concurrent.atomic.AtomicInteger();

    public SyncRoutes(Sync sync, Filters filters, Authenticator auth) {
        this.sync = sync;
        this.filters = filters;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v3/sync").handler(handlers.blocking(this::sync));
    }

    /**
     * {@code GET /_matrix/client/v3/sync} (client-server API, "Syncing"): {@code since} (a
     * {@code next_batch}; anything else is 400 M_UNKNOWN "Invalid stream token", as Synapse
     * answers), {@code timeout} in milliseconds (default 0), {@code full_state}, {@code set_presence},
     * {@code filter} (an id or inline JSON) and {@code use_state_after}.
     */
    JsonResponse sync(RoutingContext ctx) throws InterruptedException {
        Requester requester = auth.require(ctx, true);
        SyncToken since = since(Params.query(ctx, "since"));
        Long timeout = Params.queryLong(ctx, "timeout");
        boolean fullState = bool(ctx, "full_state");
        String setPresence = Params.query(ctx, "set_presence");
        if (setPresence != null && !PRESENCE_STATES.contains(setPresence)) {
            throw MatrixException.invalidParam("set_presence must be one of " + PRESENCE_STATES);
        }
        var filter = filters.resolve(requester.userId(), Params.query(ctx, "filter"));
        var request = new Sync.Request(requester.userId(), requester.deviceId(), filter, since,
                fullState, timeout == null ? 0 : timeout, setPresence, bool(ctx, "use_state_after"));
        if (request.timeoutMs() <= 0) {
            return JsonResponse.ok(sync.sync(request));
        }
        longPolls.incrementAndGet();
        try {
            return JsonResponse.ok(sync.sync(request));
        } finally {
            longPolls.decrementAndGet();
        }
    }

    /** The {@code /sync} requests with a timeout open now (the metrics' long-poll gauge). */
    public int openLongPolls() {
        return longPolls.get();
    }

    /** A {@code since} (or {@code /events} {@code from}) token; 400 M_UNKNOWN "Invalid stream token" if not one. */
    static SyncToken since(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return SyncToken.parse(value);
        } catch (IllegalArgumentException e) {
            throw MatrixException.unknownBadRequest("Invalid stream token");
        }
    }

    /** A boolean query parameter ({@code true} or {@code false}, absent for false). */
    static boolean bool(RoutingContext ctx, String name) {
        String value = Params.query(ctx, name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw MatrixException.invalidParam(name + " must be 'true' or 'false'");
    }
}
