package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.myelin.server.client.auth.AccessTokenAuthenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** Account registration (client-server API, "Account registration"). */
public final class RegisterRoutes implements Routes {

    /** The body of {@code POST /register}. */
    record RegisterBody(JsonNode auth, String username, String password, String deviceId,
                        String initialDeviceDisplayName, Boolean inhibitLogin, Boolean refreshToken, String type) {}

    /** The {@code type} of an application service's registration of one of its users. */
    static final String APP_SERVICE_TYPE = "m.login.application_service";

    /** The 200 body of {@code POST /register}; only {@code user_id} when login was inhibited. */
    record RegisterResponse(String userId, String accessToken, String refreshToken, Long expiresInMs,
                            String homeServer, String deviceId) {}

    record Availability(boolean available) {}

    record Validity(boolean valid) {}

    private final AccountServices services;

    public RegisterRoutes(AccountServices services) {
        this.services = services;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/register").handler(handlers.blocking(this::register));
        router.get("/_matrix/client/v3/register/available").handler(handlers.blocking(this::available));
        router.get("/_matrix/client/v1/register/m.login.registration_token/validity")
                .handler(handlers.blocking(this::tokenValidity));
    }

    /**
     * {@code POST /_matrix/client/v3/register} (client-server API, "Account registration"):
     * {@code kind=user} goes through user-interactive auth; {@code kind=guest} needs none.
     * 400 M_INVALID_USERNAME / M_USER_IN_USE before auth, 401 with the UIA flows, 403 when
     * registration (or guest access) is off, 429 when rate-limited.
     */
    JsonResponse register(RoutingContext ctx) {
        String address = AccessTokenAuthenticator.clientAddress(ctx);
        List<String> kinds = ctx.queryParam("kind");
        String kind = kinds.isEmpty() ? "user" : kinds.getFirst();
        if (kind.equals("guest")) {
            RegisterBody body = RequestBodies.bindOrEmpty(ctx, RegisterBody.class);
            return ok(services.registration.registerGuest(body.initialDeviceDisplayName(), address));
        }
        if (!kind.equals("user")) {
            throw MatrixException.invalidParam("Unknown account kind '" + kind + "'; expected user or guest");
        }
        if (ctx.request().getHeader("Authorization") != null || !ctx.queryParam("access_token").isEmpty()) {
            RegisterBody body = RequestBodies.bindOrEmpty(ctx, RegisterBody.class);
            if (APP_SERVICE_TYPE.equals(body.type())) {
                return registerByAppService(ctx, body);
            }
        }
        services.registration.checkAllowed(address);
        RegisterBody body = RequestBodies.bindOrEmpty(ctx, RegisterBody.class);
        Registration.Outcome outcome = services.registration.registerUser(new Registration.UserRequest(body.auth(),
                body.username(), body.password(), body.deviceId(), body.initialDeviceDisplayName(),
                Boolean.TRUE.equals(body.inhibitLogin()), Boolean.TRUE.equals(body.refreshToken())), address);
        return switch (outcome) {
            case Registration.Outcome.NeedsAuth auth -> auth.challenge().response();
            case Registration.Outcome.Done done -> ok(done.registered());
        };
    }

    /** An application service registers one of its users: its {@code as_token} is required. */
    private JsonResponse registerByAppService(RoutingContext ctx, RegisterBody body) {
        Requester requester = services.authenticator.appService(ctx).orElseThrow(() ->
                MatrixException.forbidden("Only an application service may register with " + APP_SERVICE_TYPE));
        return ok(services.registration.registerByAppService(requester.appServiceId(),
                new Registration.UserRequest(null, body.username(), null, body.deviceId(),
                        body.initialDeviceDisplayName(), Boolean.TRUE.equals(body.inhibitLogin()),
                        Boolean.TRUE.equals(body.refreshToken()))));
    }

    /**
     * {@code GET /_matrix/client/v3/register/available} (client-server API, "Account
     * registration"): 200 {@code available: true}, or 400 M_INVALID_USERNAME / M_USER_IN_USE.
     */
    JsonResponse available(RoutingContext ctx) {
        services.registration.checkAllowed(AccessTokenAuthenticator.clientAddress(ctx));
        services.registration.checkUsername(RequestBodies.requiredQuery(ctx, "username"));
        return JsonResponse.ok(new Availability(true));
    }

    /**
     * {@code GET /_matrix/client/v1/register/m.login.registration_token/validity}
     * (client-server API, "Token-authenticated registration"): whether a registration token
     * can be used now; 403 M_FORBIDDEN when registration is off.
     */
    JsonResponse tokenValidity(RoutingContext ctx) {
        services.registration.checkAllowed(AccessTokenAuthenticator.clientAddress(ctx));
        String token = RequestBodies.requiredQuery(ctx, "token");
        boolean valid = services.registrationTokens.find(token)
                .map(t -> t.isValid(services.clock.millis())).orElse(false);
        return JsonResponse.ok(new Validity(valid));
    }

    private JsonResponse ok(Registration.Registered registered) {
        Sessions.Issued s = registered.session();
        return JsonResponse.ok(s == null
                ? new RegisterResponse(registered.userId(), null, null, null, services.serverName, null)
                : new RegisterResponse(registered.userId(), s.accessToken(), s.refreshToken(), s.expiresInMs(),
                        services.serverName, s.deviceId()));
    }
}
