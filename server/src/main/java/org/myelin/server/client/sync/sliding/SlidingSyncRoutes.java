package org.myelin.server.client.sync.sliding;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** Simplified sliding sync (MSC4186), as Synapse serves it under its unstable prefix. */
public final class SlidingSyncRoutes implements Routes {

    static final String PATH = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";
    /** Request bodies remembered, counted in characters. */
    static final int MAX_BODY_CHARS = 1_000_000;
    /** A body longer than this is parsed every time. */
    static final int MAX_REMEMBERED_BODY = 16_384;

    private final SlidingSync sync;
    private final Authenticator auth;
    /**
     * Bodies already read, by their text: a long-polling client sends the same lists with every
     * request, and reading the body was a twelfth of a woken sliding sync.
     */
    private final Cache<String, SlidingSyncRequest> bodies = Caffeine.newBuilder().maximumWeight(MAX_BODY_CHARS)
            .weigher((String text, SlidingSyncRequest request) -> text.length()).build();

    public SlidingSyncRoutes(SlidingSync sync, Authenticator auth) {
        this.sync = sync;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post(PATH).handler(handlers.blocking(this::sync));
    }

    /**
     * {@code POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync} (MSC4186): query
     * {@code pos} (a previous response's; anything else is 400 M_UNKNOWN "Invalid stream token",
     * one the server no longer knows 400 M_UNKNOWN_POS) and {@code timeout} in milliseconds
     * (default 0); the body's {@code conn_id}, {@code lists}, {@code room_subscriptions} and
     * {@code extensions} ({@link SlidingSyncRequests}).
     */
    JsonResponse sync(RoutingContext ctx) throws InterruptedException {
        Requester requester = auth.require(ctx, true);
        SlidingPos pos = pos(Params.query(ctx, "pos"));
        Long timeout = Params.queryLong(ctx, "timeout");
        SlidingSyncRequest body = body(ctx);
        return JsonResponse.ok(sync.sync(new SlidingSync.Request(requester.userId(), requester.deviceId(), pos,
                timeout == null ? 0 : timeout, body)));
    }

    /** The request's body, read once per distinct text (a bad one is refused each time, never kept). */
    private SlidingSyncRequest body(RoutingContext ctx) {
        Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
        if (raw == null || raw.length() == 0 || raw.length() > MAX_REMEMBERED_BODY) {
            return SlidingSyncRequests.parse(Json.parseBody(ctx));
        }
        String text = raw.toString(java.nio.charset.StandardCharsets.UTF_8);
        SlidingSyncRequest known = bodies.getIfPresent(text);
        if (known != null) {
            return known;
        }
        SlidingSyncRequest parsed = SlidingSyncRequests.parse(Json.parseBody(ctx));
        bodies.put(text, parsed);
        return parsed;
    }

    private static SlidingPos pos(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return SlidingPos.parse(value);
        } catch (IllegalArgumentException e) {
            throw MatrixException.unknownBadRequest("Invalid stream token");
        }
    }
}
