package org.myelin.server.client.account;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.auth.UiaOutcome;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.accounts.Device;

/** The requester's devices (client-server API, "Device management"). */
public final class DeviceRoutes implements Routes {

    /**
     * One device as clients see it (definitions/client_device.yaml). Every key is always there,
     * null when unknown (a device never named, or not seen since it logged in): Synapse answers
     * so, and matrix-nio's schema requires them.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record ClientDevice(String deviceId, String displayName, String lastSeenIp, Long lastSeenTs) {
        static ClientDevice of(Device d) {
            return new ClientDevice(d.deviceId(), d.displayName(), d.lastSeenIp(), d.lastSeenTs());
        }
    }

    record Devices(List<ClientDevice> devices) {}

    record UpdateBody(String displayName) {}

    record DeleteBody(JsonNode auth) {}

    record DeleteManyBody(JsonNode auth, List<String> devices) {}

    private final AccountServices services;

    public DeviceRoutes(AccountServices services) {
        this.services = services;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v3/devices").handler(handlers.blocking(this::list));
        router.get("/_matrix/client/v3/devices/:deviceId").handler(handlers.blocking(this::get));
        router.put("/_matrix/client/v3/devices/:deviceId").handler(handlers.blocking(this::update));
        router.delete("/_matrix/client/v3/devices/:deviceId").handler(handlers.blocking(this::delete));
        router.post("/_matrix/client/v3/delete_devices").handler(handlers.blocking(this::deleteMany));
    }

    /** {@code GET /_matrix/client/v3/devices} (client-server API, "Device management"). */
    JsonResponse list(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx, true);
        return JsonResponse.ok(new Devices(services.accounts.devices(requester.userId()).stream()
                .map(ClientDevice::of).toList()));
    }

    /** {@code GET /_matrix/client/v3/devices/{deviceId}} (client-server API, "Device management"): 404 if not the requester's. */
    JsonResponse get(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx, true);
        return JsonResponse.ok(services.accounts.device(requester.userId(), ctx.pathParam("deviceId"))
                .map(ClientDevice::of)
                .orElseThrow(() -> MatrixException.notFound("Device not found")));
    }

    /**
     * {@code PUT /_matrix/client/v3/devices/{deviceId}} (client-server API, "Device
     * management"): renames one of the requester's devices; 404 for any other (only
     * application services may create devices here).
     */
    JsonResponse update(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx, true);
        UpdateBody body = Json.bind(ctx, UpdateBody.class);
        Sessions.validDisplayName(body.displayName());
        String deviceId = ctx.pathParam("deviceId");
        boolean found = body.displayName() == null
                ? services.accounts.device(requester.userId(), deviceId).isPresent()
                : services.renameDevice(requester.userId(), deviceId, body.displayName());
        if (!found) {
            throw MatrixException.notFound("Device not found");
        }
        return JsonResponse.empty();
    }

    /**
     * {@code DELETE /_matrix/client/v3/devices/{deviceId}} (client-server API, "Device
     * management"): under user-interactive auth with {@code m.login.password}; deletes the
     * device and so revokes its tokens. 200 also when it was gone already.
     */
    JsonResponse delete(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx);
        DeleteBody body = RequestBodies.bindOrEmpty(ctx, DeleteBody.class);
        return deleteUnderAuth(requester, body.auth(), List.of(ctx.pathParam("deviceId")));
    }

    /**
     * {@code POST /_matrix/client/v3/delete_devices} (client-server API, "Device management"):
     * as {@code DELETE /devices/{deviceId}} for several devices at once.
     */
    JsonResponse deleteMany(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx);
        DeleteManyBody body = Json.bind(ctx, DeleteManyBody.class);
        if (body.devices() == null) {
            throw MatrixException.missingParam("Missing 'devices'");
        }
        if (body.devices().contains(null)) {
            throw MatrixException.badJson("'devices' must be a list of device ids");
        }
        return deleteUnderAuth(requester, body.auth(), body.devices());
    }

    private JsonResponse deleteUnderAuth(Requester requester, JsonNode auth, List<String> deviceIds) {
        List<String> sorted = deviceIds.stream().distinct().sorted().toList();
        UiaOutcome outcome = services.uia.authenticate("delete_devices " + requester.userId() + " " + sorted, auth,
                List.of(services.passwordFlow(requester.userId())));
        if (outcome instanceof UiaOutcome.Challenge challenge) {
            return challenge.response();
        }
        services.uia.finish(((UiaOutcome.Authenticated) outcome).session());
        services.devicesDeleted(requester.userId(), services.accounts.deleteDevices(requester.userId(), sorted));
        return JsonResponse.empty();
    }
}
