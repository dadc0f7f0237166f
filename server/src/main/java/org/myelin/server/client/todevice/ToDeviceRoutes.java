package org.myelin.server.client.todevice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.BodyLimit;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

import java.util.LinkedHashMap;
import java.util.Map;

/** Sending to-device messages (client-server API, "Send-to-Device messaging"). */
public final class ToDeviceRoutes implements Routes {

    /**
     * A request is a client's batch of encrypted key shares: a few hundred Olm messages of one to
     * two KiB each, more than the JSON default allows. 32 × 64 KiB.
     */
    static final BodyLimit BODY = new BodyLimit(32 * BodyLimit.EVENT_BYTES);
    /** The longest event type and transaction id taken, as for any identifier. */
    static final int MAX_ID_LENGTH = 255;

    private final ToDeviceSender sender;
    private final Authenticator auth;

    public ToDeviceRoutes(ToDeviceSender sender, Authenticator auth) {
        this.sender = sender;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.put("/_matrix/client/v3/sendToDevice/:eventType/:txnId").handler(handlers.blocking(BODY, this::send));
    }

    /**
     * {@code PUT /_matrix/client/v3/sendToDevice/{eventType}/{txnId}} (client-server API,
     * "Send-to-Device messaging"): {@code messages} by user id, then device id or {@code *}, each
     * an object; the same transaction id from the same device sends nothing again. Guests may
     * send, as in Synapse.
     */
    JsonResponse send(RoutingContext ctx) {
        Requester requester = auth.require(ctx, true);
        String type = bounded(Params.path(ctx, "eventType"), "event type");
        String txnId = bounded(Params.path(ctx, "txnId"), "transaction id");
        sender.send(requester, type, txnId, messages(Json.parseBody(ctx, Json.BodyKind.KEPT_AS_TEXT)));
        return JsonResponse.empty();
    }

    /** The body's {@code messages}: 400 M_MISSING_PARAM without it, M_BAD_JSON when it is not a map of maps of objects. */
    static Map<String, Map<String, ObjectNode>> messages(JsonNode body) {
        if (!(body instanceof ObjectNode object)) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        JsonNode messages = object.get("messages");
        if (messages == null) {
            throw MatrixException.missingParam("Missing 'messages'");
        }
        if (!(messages instanceof ObjectNode byUser)) {
            throw MatrixException.badJson("'messages' must be an object of user ids");
        }
        Map<String, Map<String, ObjectNode>> parsed = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> user : byUser.properties()) {
            if (!(user.getValue() instanceof ObjectNode devices)) {
                throw MatrixException.badJson("'messages' of " + user.getKey() + " must be an object of device ids");
            }
            Map<String, ObjectNode> byDevice = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> device : devices.properties()) {
                if (!(device.getValue() instanceof ObjectNode content)) {
                    throw MatrixException.badJson("The message to " + user.getKey() + "'s device " + device.getKey()
                            + " must be an object");
                }
                byDevice.put(device.getKey(), content);
            }
            parsed.put(user.getKey(), byDevice);
        }
        return parsed;
    }

    private static String bounded(String value, String what) {
        if (value.isEmpty() || value.length() > MAX_ID_LENGTH) {
            throw MatrixException.invalidParam("The " + what + " must have 1 to " + MAX_ID_LENGTH + " characters");
        }
        return value;
    }
}
