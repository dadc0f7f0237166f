package org.myelin.server.admin.users;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.admin.AdminParams;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.accounts.Device;

/** A user's devices for admins (Synapse's admin API, "User devices"): list, show, rename, delete. */
public final class UserDeviceAdminRoutes implements Routes {

    private static final String DEVICES = "/_synapse/admin/v2/users/:userId/devices";

    /** A device; {@code display_name} is left out when unset, the last-seen keys are always given. */
    record DeviceView(String deviceId, String displayName, @JsonInclude(JsonInclude.Include.ALWAYS) String lastSeenIp,
                      @JsonInclude(JsonInclude.Include.ALWAYS) String lastSeenUserAgent,
                      @JsonInclude(JsonInclude.Include.ALWAYS) Long lastSeenTs, String userId, Boolean dehydrated) {
    }

    record DeviceList(List<DeviceView> devices, int total) {}

    private final AdminAuth auth;
    private final AccountServices accounts;

    UserDeviceAdminRoutes(AdminAuth auth, AccountServices accounts) {
        this.auth = auth;
        this.accounts = accounts;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(DEVICES).handler(handlers.blocking(this::list));
        router.get(DEVICES + "/:deviceId").handler(handlers.blocking(this::show));
        router.put(DEVICES + "/:deviceId").handler(handlers.blocking(this::rename));
        router.delete(DEVICES + "/:deviceId").handler(handlers.blocking(this::delete));
        router.post("/_synapse/admin/v2/users/:userId/delete_devices").handler(handlers.blocking(this::deleteMany));
    }

    /** {@code GET /_synapse/admin/v2/users/{userId}/devices}: every device, the dehydrated one marked. */
    JsonResponse list(RoutingContext ctx) {
        String userId = knownLocalUser(ctx);
        String dehydrated = accounts.dehydratedDevices.find(userId).map(d -> d.deviceId()).orElse(null);
        List<DeviceView> devices = new ArrayList<>();
        for (Device d : accounts.accounts.devices(userId)) {
            devices.add(view(d, d.deviceId().equals(dehydrated)));
        }
        return JsonResponse.ok(new DeviceList(devices, devices.size()));
    }

    /** {@code GET /_synapse/admin/v2/users/{userId}/devices/{deviceId}}: 404 if unknown. */
    JsonResponse show(RoutingContext ctx) {
        String userId = knownLocalUser(ctx);
        Optional<Device> device = accounts.accounts.device(userId, ctx.pathParam("deviceId"));
        return JsonResponse.ok(device.map(d -> view(d, null))
                .orElseThrow(() -> MatrixException.notFound("No device found")));
    }

    /** {@code PUT /_synapse/admin/v2/users/{userId}/devices/{deviceId}}: a new {@code display_name}. */
    JsonResponse rename(RoutingContext ctx) {
        String userId = knownLocalUser(ctx);
        JsonNode name = Json.parseBody(ctx).get("display_name");
        if (name != null && !name.isNull()) {
            if (!name.isTextual()) {
                throw MatrixException.badJson("display_name must be a string");
            }
            if (!accounts.renameDevice(userId, ctx.pathParam("deviceId"), name.asText())) {
                throw MatrixException.notFound("No device found");
            }
        }
        return JsonResponse.empty();
    }

    /** {@code DELETE /_synapse/admin/v2/users/{userId}/devices/{deviceId}}: its tokens go with it; unknown is no error. */
    JsonResponse delete(RoutingContext ctx) {
        String userId = knownLocalUser(ctx);
        accounts.devicesDeleted(userId, accounts.accounts.deleteDevices(userId, List.of(ctx.pathParam("deviceId"))));
        return JsonResponse.empty();
    }

    /** {@code POST /_synapse/admin/v2/users/{userId}/delete_devices}: {@code devices}, a list of ids. */
    JsonResponse deleteMany(RoutingContext ctx) {
        String userId = knownLocalUser(ctx);
        JsonNode devices = Json.parseBody(ctx).get("devices");
        if (devices == null) {
            throw MatrixException.missingParam("Missing params: ['devices']");
        }
        List<String> ids = new ArrayList<>();
        if (!devices.isArray()) {
            throw MatrixException.badJson("devices must be a list of device ids");
        }
        for (JsonNode id : devices) {
            if (!id.isTextual()) {
                throw MatrixException.badJson("devices must be a list of device ids");
            }
            ids.add(id.asText());
        }
        accounts.devicesDeleted(userId, accounts.accounts.deleteDevices(userId, ids));
        return JsonResponse.empty();
    }

    private String knownLocalUser(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        String userId = AdminParams.localUserId(ctx, "userId", accounts.serverName, "Can only lookup local users");
        if (!accounts.accounts.exists(userId)) {
            throw MatrixException.notFound("Unknown user");
        }
        return userId;
    }

    private static DeviceView view(Device d, Boolean dehydrated) {
        return new DeviceView(d.deviceId(), d.displayName(), d.lastSeenIp(), null, d.lastSeenTs(), d.userId(),
                dehydrated);
    }
}
