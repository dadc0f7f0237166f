package org.myelin.server.client.push;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.server.push.Pushers;
import org.myelin.storage.push.PusherRepository.StoredPusher;

import java.util.List;

/** The requester's pushers (client-server API, "Push Notifications", "Client behaviour"). */
public final class PushersRoutes implements Routes {

    /** One pusher as {@code GET /pushers} lists it. */
    record Pusher(String pushkey, String kind, String appId, String appDisplayName, String deviceDisplayName,
                  String profileTag, String lang, JsonNode data) {
    }

    record PusherList(List<Pusher> pushers) {
    }

    private final Authenticator authenticator;
    private final Pushers pushers;

    public PushersRoutes(Authenticator authenticator, Pushers pushers) {
        this.authenticator = authenticator;
        this.pushers = pushers;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v3/pushers").handler(handlers.blocking(this::list));
        router.post("/_matrix/client/v3/pushers/set").handler(handlers.blocking(this::set));
    }

    /** {@code GET /_matrix/client/v3/pushers} (client-server API, "Push Notifications"): the requester's pushers. */
    JsonResponse list(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        return JsonResponse.ok(new PusherList(pushers.of(requester.userId()).stream().map(PushersRoutes::view)
                .toList()));
    }

    /**
     * {@code POST /_matrix/client/v3/pushers/set} (client-server API, "Push Notifications"):
     * creates, replaces (by app id and pushkey) or, with a {@code null} kind, deletes one of the
     * requester's pushers ({@link PusherRequest} says what is refused). The pusher belongs to the
     * requester's device.
     */
    JsonResponse set(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        JsonNode body = Json.parseBody(ctx);
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        switch (PusherRequest.parse(body)) {
            case PusherRequest.Delete delete -> pushers.remove(requester.userId(), delete.appId(), delete.pushkey());
            case PusherRequest.Put put -> pushers.set(requester.userId(), requester.deviceId(), put.settings(),
                    put.append());
        }
        return JsonResponse.empty();
    }

    private static Pusher view(StoredPusher p) {
        JsonNode data;
        try {
            data = Json.MAPPER.readTree(p.dataJson());
        } catch (Exception e) {
            throw new IllegalStateException("stored pusher data is not JSON", e);
        }
        return new Pusher(p.pushkey(), p.kind(), p.appId(), p.appDisplayName(), p.deviceDisplayName(), p.profileTag(),
                p.lang(), data);
    }
}
