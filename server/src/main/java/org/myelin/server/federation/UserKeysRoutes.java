package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.FederationException;
import org.myelin.federation.auth.RequestAuthenticator;
import org.myelin.protocol.id.UserId;
import org.myelin.rooms.LocalServer;
import org.myelin.server.client.keys.ServedKeys;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;
import org.myelin.storage.keys.DeviceListOutboundRepository;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Other servers asking for our users' keys (server-server API, "End-to-End Encryption", "Device
 * Management"): {@code POST /user/keys/query}, {@code POST /user/keys/claim} and
 * {@code GET /user/devices/{userId}}. Users of other servers in a request are ignored.
 */
final class UserKeysRoutes implements Routes {

    private final FederationAuth auth;
    private final LocalServer local;
    private final ServedKeys keys;
    private final DeviceListOutboundRepository told;

    UserKeysRoutes(FederationAuth auth, LocalServer local, ServedKeys keys, DeviceListOutboundRepository told) {
        this.auth = auth;
        this.local = local;
        this.keys = keys;
        this.told = told;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/federation/v1/user/keys/query").handler(handlers.blocking(auth.authenticated(this::query)));
        router.post("/_matrix/federation/v1/user/keys/claim").handler(handlers.blocking(auth.authenticated(this::claim)));
        router.get("/_matrix/federation/v1/user/devices/:userId")
                .handler(handlers.blocking(auth.authenticated(this::devices)));
    }

    /** {@code POST /_matrix/federation/v1/user/keys/query}: device and cross-signing keys of our users. */
    JsonResponse query(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        ObjectNode users = object(body(ctx).get("device_keys"), "device_keys");
        Map<String, List<String>> query = new LinkedHashMap<>();
        users.properties().forEach(e -> {
            if (!(e.getValue() instanceof ArrayNode array)) {
                throw FederationException.badJson("'device_keys' values must be lists of device ids");
            }
            List<String> devices = new ArrayList<>();
            array.forEach(d -> devices.add(text(d, "device_keys." + e.getKey() + "[]")));
            query.put(e.getKey(), devices);
        });
        return JsonResponse.ok(keys.query(query));
    }

    /** {@code POST /_matrix/federation/v1/user/keys/claim}: one one-time (or fallback) key per device asked for. */
    JsonResponse claim(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        ObjectNode users = object(body(ctx).get("one_time_keys"), "one_time_keys");
        Map<String, Map<String, String>> query = new LinkedHashMap<>();
        users.properties().forEach(u -> {
            Map<String, String> devices = new LinkedHashMap<>();
            object(u.getValue(), "one_time_keys." + u.getKey()).properties().forEach(d ->
                    devices.put(d.getKey(), text(d.getValue(), "one_time_keys." + u.getKey() + "." + d.getKey())));
            query.put(u.getKey(), devices);
        });
        return JsonResponse.ok(keys.claim(query));
    }

    /**
     * {@code GET /_matrix/federation/v1/user/devices/{userId}}: one of our users' devices with keys
     * and display names, their cross-signing keys, and the {@code stream_id} of the last
     * {@code m.device_list_update} sent for them, after which the asking server applies updates.
     */
    JsonResponse devices(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        String userId = ctx.pathParam("userId");
        if (!UserId.isValid(userId) || !local.isLocalUser(userId)) {
            throw FederationException.invalidParam("User " + userId + " is not one of this server's");
        }
        long streamId = told.streamId(userId);
        ServedKeys.DeviceList list = keys.deviceList(userId);
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("user_id", userId);
        answer.put("stream_id", streamId);
        ArrayNode devices = answer.putArray("devices");
        list.devices().values().forEach(d -> {
            ObjectNode device = devices.addObject().put("device_id", d.deviceId());
            device.set("keys", d.keys());
            if (d.displayName() != null) {
                device.put("device_display_name", d.displayName());
            }
        });
        if (list.masterKey() != null) {
            answer.set("master_key", list.masterKey());
        }
        if (list.selfSigningKey() != null) {
            answer.set("self_signing_key", list.selfSigningKey());
        }
        return JsonResponse.ok(answer);
    }

    private static ObjectNode body(RoutingContext ctx) {
        return object(Json.parseBody(ctx), "the request body");
    }

    private static ObjectNode object(JsonNode node, String what) {
        if (!(node instanceof ObjectNode o)) {
            throw FederationException.badJson("'" + what + "' must be a JSON object");
        }
        return o;
    }

    private static String text(JsonNode node, String what) {
        if (node == null || !node.isTextual()) {
            throw FederationException.badJson("'" + what + "' must be a string");
        }
        return node.textValue();
    }
}
