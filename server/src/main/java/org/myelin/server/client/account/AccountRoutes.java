package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.auth.UiaOutcome;
import org.myelin.server.client.auth.UiaSession;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/**
 * The requester's own account: who they are, their password and deactivation (client-server
 * API, "Current account information", "Password management", "Account deactivation"). Its
 * third-party identifiers are {@link ThirdPartyIdRoutes}'.
 */
public final class AccountRoutes implements Routes {

    record WhoAmI(String userId, String deviceId, boolean isGuest) {}

    record PasswordBody(JsonNode auth, String newPassword, Boolean logoutDevices) {}

    record DeactivateBody(JsonNode auth, String idServer, Boolean erase) {}

    record DeactivateResponse(String idServerUnbindResult) {}

    private final AccountServices services;

    public AccountRoutes(AccountServices services) {
        this.services = services;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v3/account/whoami").handler(handlers.blocking(this::whoami));
        router.post("/_matrix/client/v3/account/password").handler(handlers.blocking(this::changePassword));
        router.post("/_matrix/client/v3/account/deactivate").handler(handlers.blocking(this::deactivate));
    }

    /** {@code GET /_matrix/client/v3/account/whoami} (client-server API, "Current account information"). */
    JsonResponse whoami(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx, true);
        // No device (an application service's token, an admin's login token): none said, as Synapse.
        return JsonResponse.ok(new WhoAmI(requester.userId(),
                requester.deviceId().isEmpty() ? null : requester.deviceId(), requester.isGuest()));
    }

    /**
     * {@code POST /_matrix/client/v3/account/password} (client-server API, "Password
     * management"): under user-interactive auth with {@code m.login.password}. Unless
     * {@code logout_devices} is false, every other device is deleted and every other access
     * token revoked; the requester's device and token stay.
     */
    JsonResponse changePassword(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx);
        PasswordBody body = Json.bind(ctx, PasswordBody.class);
        if (body.newPassword() != null) {
            Passwords.validate(body.newPassword());
        }
        UiaOutcome outcome = services.uia.authenticate("password " + requester.userId(), body.auth(),
                List.of(services.passwordFlow(requester.userId())));
        if (outcome instanceof UiaOutcome.Challenge challenge) {
            return challenge.response();
        }
        UiaSession session = ((UiaOutcome.Authenticated) outcome).session();
        if (body.newPassword() == null) {
            throw MatrixException.missingParam("Missing 'new_password'");
        }
        String hash = services.passwords.hashNew(body.newPassword());
        List<String> deleted = services.accounts.changePassword(requester.userId(), hash,
                !Boolean.FALSE.equals(body.logoutDevices()), requester.deviceId(), requester.tokenId());
        services.uia.finish(session);
        services.devicesDeleted(requester.userId(), deleted);
        return JsonResponse.empty();
    }

    /**
     * {@code POST /_matrix/client/v3/account/deactivate} (client-server API, "Account
     * deactivation"): under user-interactive auth with {@code m.login.password}. The account
     * keeps its id forever, loses its password, devices and tokens; nothing was bound at an
     * identity server, hence {@code no-support}.
     */
    JsonResponse deactivate(RoutingContext ctx) {
        Requester requester = services.authenticator.require(ctx);
        DeactivateBody body = RequestBodies.bindOrEmpty(ctx, DeactivateBody.class);
        UiaOutcome outcome = services.uia.authenticate("deactivate " + requester.userId(), body.auth(),
                List.of(services.passwordFlow(requester.userId())));
        if (outcome instanceof UiaOutcome.Challenge challenge) {
            return challenge.response();
        }
        services.uia.finish(((UiaOutcome.Authenticated) outcome).session());
        services.devicesDeleted(requester.userId(), services.accounts.deactivate(requester.userId()));
        services.accountDeactivated(requester.userId());
        return JsonResponse.ok(new DeactivateResponse("no-support"));
    }
}
