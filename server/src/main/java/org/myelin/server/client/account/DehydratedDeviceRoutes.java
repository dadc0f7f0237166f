package org.myelin.server.client.account;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.accounts.DehydratedDeviceRepository.DehydratedDevice;
import org.myelin.storage.streams.ToDeviceRepository;

import java.util.ArrayList;
import java.util.List;

/**
 * The dehydrated device endpoints of MSC3814, under its unstable prefix, answered as Synapse
 * answers them (with {@code experimental_features.msc3814_enabled}): see {@link DehydratedDevices}.
 * A client finds out that the server has them from {@code GET /dehydrated_device}, which answers
 * 404 M_NOT_FOUND rather than M_UNRECOGNIZED; Synapse advertises nothing in {@code /versions}.
 */
public final class DehydratedDeviceRoutes implements Routes {

    static final String PREFIX = "/_matrix/client/unstable/org.matrix.msc3814.v1";
    /** What an {@code /events} token starts with (Synapse's: the rest is a to-device position). */
    static final String TOKEN_PREFIX = "d";
    static final int DEFAULT_LIMIT = 100;

    record DeviceIdResponse(String deviceId) {
    }

    record DeviceResponse(String deviceId, JsonNode deviceData) {
    }

    /** @param nextBatch absent (null) on the last page of {@code GET /events} */
    record EventsResponse(List<ObjectNode> events, String nextBatch) {
    }

    record EventsBody(String nextBatch) {
    }

    private final AccountServices services;
    private final DehydratedDevices devices;

    public DehydratedDeviceRoutes(AccountServices services, DehydratedDevices devices) {
        this.services = services;
        this.devices = devices;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(PREFIX + "/dehydrated_device").handler(handlers.blocking(this::get));
        router.put(PREFIX + "/dehydrated_device").handler(handlers.blocking(this::put));
        router.delete(PREFIX + "/dehydrated_device").handler(handlers.blocking(this::delete));
        router.get(PREFIX + "/dehydrated_device/:deviceId/events").handler(handlers.blocking(this::events));
        router.post(PREFIX + "/dehydrated_device/:deviceId/events").handler(handlers.blocking(this::eventsByPost));
    }

    /**
     * {@code GET /_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device} (MSC3814,
     * "Rehydrating a device"): the requester's dehydrated device and its {@code device_data}; 404
     * M_NOT_FOUND when there is none.
     */
    JsonResponse get(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx);
        DehydratedDevice device = devices.find(requester.userId())
                .orElseThrow(() -> MatrixException.notFound("No dehydrated device available"));
        return JsonResponse.ok(new DeviceResponse(device.deviceId(), readObject(device.deviceData())));
    }

    /**
     * {@code PUT /_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device} (MSC3814,
     * "Dehydrating a device"): {@code device_id}, {@code device_data} (an object with an {@code
     * algorithm}), {@code initial_device_display_name}, and the device's keys as {@code POST
     * /keys/upload} takes them, {@code device_keys} required (400 M_UNKNOWN without, as Synapse).
     */
    JsonResponse put(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx);
        JsonNode parsed = Json.parseBody(ctx);
        if (!(parsed instanceof ObjectNode body)) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        String deviceId = Sessions.validDeviceId(requiredText(body, "device_id"));
        JsonNode data = body.get("device_data");
        if (!(data instanceof ObjectNode deviceData) || !deviceData.path("algorithm").isTextual()) {
            throw MatrixException.badJson("'device_data' must be an object with a string 'algorithm'");
        }
        JsonNode name = body.get("initial_device_display_name");
        if (name != null && !name.isNull() && !name.isTextual()) {
            throw MatrixException.badJson("'initial_device_display_name' must be a string");
        }
        String displayName = Sessions.validDisplayName(name == null ? null : name.textValue());
        if (body.path("device_keys").isNull() || body.path("device_keys").isMissingNode()) {
            throw MatrixException.unknownBadRequest("Device key(s) not found, these must be provided.");
        }
        String stored = devices.replace(requester.userId(), deviceId, displayName, write(deviceData), body);
        return JsonResponse.ok(new DeviceIdResponse(stored));
    }

    /**
     * {@code DELETE /_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device} (MSC3814,
     * "Deleting a dehydrated device"): deletes the requester's dehydrated device and answers its id;
     * 404 M_NOT_FOUND when there is none.
     */
    JsonResponse delete(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx);
        return JsonResponse.ok(new DeviceIdResponse(devices.delete(requester.userId())));
    }

    /**
     * {@code POST /_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device/{deviceId}/events}
     * (MSC3814, "Rehydrating a device"): a page of the dehydrated device's to-device messages after
     * the body's {@code next_batch}; every answer has a {@code next_batch}, and the page after the
     * last is empty (how matrix-js-sdk knows it is done). Query {@code limit}: 100 by default.
     */
    JsonResponse eventsByPost(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx);
        EventsBody body = Params.optionalBody(ctx, EventsBody.class);
        DehydratedDevices.Page page = page(ctx, requester, body == null ? null : body.nextBatch());
        return JsonResponse.ok(new EventsResponse(events(page), TOKEN_PREFIX + page.next()));
    }

    /**
     * {@code GET /_matrix/client/unstable/org.matrix.msc3814.v1/dehydrated_device/{deviceId}/events}
     * (MSC3814 as revised, and Synapse): as the POST, from the query's {@code from}, with
     * {@code next_batch} only when more messages may follow.
     */
    JsonResponse events(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx);
        DehydratedDevices.Page page = page(ctx, requester, Params.query(ctx, "from"));
        return JsonResponse.ok(new EventsResponse(events(page), page.limited() ? TOKEN_PREFIX + page.next() : null));
    }

    private DehydratedDevices.Page page(RoutingContext ctx, Requester requester, String from) {
        Integer limit = Params.queryInt(ctx, "limit");
        if (limit != null && limit < 1) {
            throw MatrixException.invalidParam("limit must be positive");
        }
        return devices.page(requester.userId(), ctx.pathParam("deviceId"), position(from),
                limit == null ? DEFAULT_LIMIT : limit);
    }

    /** The to-device position a token names (0 for none); 400 M_INVALID_PARAM for one of another form. */
    private static long position(String token) {
        if (token == null) {
            return 0;
        }
        if (token.startsWith(TOKEN_PREFIX)) {
            try {
                long position = Long.parseLong(token.substring(TOKEN_PREFIX.length()));
                if (position >= 0) {
                    return position;
                }
            } catch (NumberFormatException e) {
                // answered below
            }
        }
        throw MatrixException.invalidParam("from parameter '" + token + "' has an invalid format");
    }

    /** The messages as {@code /sync} gives to-device events. */
    private static List<ObjectNode> events(DehydratedDevices.Page page) {
        List<ObjectNode> events = new ArrayList<>(page.messages().size());
        for (ToDeviceRepository.Message m : page.messages()) {
            ObjectNode event = Json.MAPPER.createObjectNode().put("sender", m.sender()).put("type", m.type());
            event.set("content", readObject(m.content()));
            events.add(event);
        }
        return events;
    }

    private static String requiredText(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) {
            throw MatrixException.badJson("'" + field + "' must be a string");
        }
        return value.textValue();
    }

    private static String write(ObjectNode json) {
        try {
            return Json.MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON object cannot be written", e);
        }
    }

    private static ObjectNode readObject(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("stored JSON is not an object", e);
        }
    }
}
