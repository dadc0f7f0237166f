package org.myelin.server.client.account;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Third-party identifiers: an account's email addresses and phone numbers, their validation and
 * their bindings at identity servers (client-server API, "Adding Account Administrative Contact
 * Information", and the {@code requestToken} endpoints of "Registration" and "Password
 * management"). Myelin sends no email and no SMS, asks no identity server, and advertises
 * {@code m.3pid_changes: false}: an account has no third-party identifiers, and each endpoint
 * answers what Synapse answers with {@code enable_3pid_changes: false} and neither email nor
 * {@code account_threepid_delegates.msisdn} configured, after the same checks of the request.
 */
public final class ThirdPartyIdRoutes implements Routes {

    private static final String V3 = "/_matrix/client/v3";
    /** The spec's client secret: {@code [0-9a-zA-Z.=_-]}, 1 to 255 characters. */
    private static final Pattern CLIENT_SECRET = Pattern.compile("[0-9a-zA-Z.=_-]{1,255}");
    private static final Set<String> MEDIA = Set.of("email", "msisdn");
    private static final String CHANGES_DISABLED = "3PID changes are disabled on this server";

    record ThreePids(List<Object> threepids) {}

    record UnbindResult(String idServerUnbindResult) {}

    private final Authenticator auth;

    public ThirdPartyIdRoutes(Authenticator auth) {
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(V3 + "/account/3pid").handler(handlers.blocking(this::threePids));
        router.post(V3 + "/account/3pid").handler(handlers.blocking(this::changesDisabledAuthed));
        router.post(V3 + "/account/3pid/add").handler(handlers.blocking(this::changesDisabledAuthed));
        router.post(V3 + "/account/3pid/delete").handler(handlers.blocking(this::changesDisabledAuthed));
        router.post(V3 + "/account/3pid/bind").handler(handlers.blocking(this::bind));
        router.post(V3 + "/account/3pid/unbind").handler(handlers.blocking(this::unbind));
        router.post(V3 + "/account/3pid/email/requestToken").handler(handlers.blocking(this::changesDisabled));
        router.post(V3 + "/account/3pid/msisdn/requestToken").handler(handlers.blocking(this::addMsisdnToken));
        router.post(V3 + "/register/email/requestToken").handler(handlers.blocking(ctx -> {
            throw MatrixException.unknownBadRequest("Email-based registration has been disabled on this server");
        }));
        router.post(V3 + "/register/msisdn/requestToken").handler(handlers.blocking(this::registerMsisdnToken));
        router.post(V3 + "/account/password/email/requestToken").handler(handlers.blocking(ctx -> {
            throw MatrixException.unknownBadRequest("Email-based password resets have been disabled on this server");
        }));
        router.post(V3 + "/account/password/msisdn/requestToken").handler(handlers.blocking(ctx -> {
            throw MatrixException.unknownBadRequest("Password resets by phone number are not supported on this server");
        }));
    }

    /**
     * {@code GET /_matrix/client/v3/account/3pid}: always empty; clients ask for it in their
     * settings.
     */
    JsonResponse threePids(RoutingContext ctx) {
        auth.require(ctx);
        return JsonResponse.ok(new ThreePids(List.of()));
    }

    /**
     * {@code POST /account/3pid}, {@code /account/3pid/add}, {@code /account/3pid/delete}: 400
     * M_FORBIDDEN, as {@code m.3pid_changes} says; after authentication, as the spec asks a token.
     */
    JsonResponse changesDisabledAuthed(RoutingContext ctx) {
        auth.require(ctx);
        return changesDisabled(ctx);
    }

    /** {@code POST /account/3pid/email/requestToken}: 400 M_FORBIDDEN, as {@code m.3pid_changes} says. */
    JsonResponse changesDisabled(RoutingContext ctx) {
        throw MatrixException.forbidden(CHANGES_DISABLED).withStatus(400);
    }

    /**
     * {@code POST /_matrix/client/v3/account/3pid/bind}: the request checked as Synapse checks it,
     * then 403 M_SERVER_NOT_TRUSTED: this server asks no identity server to bind anything.
     */
    JsonResponse bind(RoutingContext ctx) {
        auth.require(ctx);
        JsonNode body = object(ctx);
        clientSecret(body);
        string(body, "id_access_token", true);
        string(body, "id_server", true);
        string(body, "sid", true);
        throw MatrixException.of(ErrCode.M_SERVER_NOT_TRUSTED,
                "This server does not bind third-party identifiers at identity servers");
    }

    /**
     * {@code POST /_matrix/client/v3/account/3pid/unbind}: {@code no-support}, the spec's answer
     * when the homeserver cannot unbind; nothing was ever bound through it.
     */
    JsonResponse unbind(RoutingContext ctx) {
        auth.require(ctx);
        JsonNode body = object(ctx);
        String medium = string(body, "medium", true);
        if (!MEDIA.contains(medium)) {
            throw MatrixException.badJson("medium must be email or msisdn");
        }
        string(body, "address", true);
        string(body, "id_server", false);
        return JsonResponse.ok(new UnbindResult("no-support"));
    }

    /**
     * {@code POST /_matrix/client/v3/account/3pid/msisdn/requestToken}: the request checked, then
     * 400 M_THREEPID_MEDIUM_NOT_SUPPORTED: no phone numbers are validated here.
     */
    JsonResponse addMsisdnToken(RoutingContext ctx) {
        msisdnTokenRequest(object(ctx));
        throw MatrixException.of(ErrCode.M_THREEPID_MEDIUM_NOT_SUPPORTED,
                "Adding phone numbers to user account is not supported by this homeserver");
    }

    /**
     * {@code POST /_matrix/client/v3/register/msisdn/requestToken}: the request checked, then 400
     * M_UNKNOWN, as Synapse answers without a phone delegate.
     */
    JsonResponse registerMsisdnToken(RoutingContext ctx) {
        msisdnTokenRequest(object(ctx));
        throw MatrixException.unknownBadRequest("Registration by phone number is not supported on this homeserver");
    }

    /** The fields of a phone number's {@code requestToken}: all required, the client secret valid. */
    private static void msisdnTokenRequest(JsonNode body) {
        for (String name : List.of("client_secret", "country", "phone_number")) {
            string(body, name, true);
        }
        JsonNode attempt = body.get("send_attempt");
        if (attempt == null) {
            throw MatrixException.missingParam("Missing params: ['send_attempt']");
        }
        if (!attempt.isIntegralNumber()) {
            throw MatrixException.badJson("send_attempt must be an integer");
        }
        clientSecret(body);
        string(body, "next_link", false);
    }

    private static JsonNode object(RoutingContext ctx) {
        JsonNode body = Json.parseBody(ctx);
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        return body;
    }

    /** A string field: 400 M_MISSING_PARAM when required and absent, M_BAD_JSON when not a string. */
    private static String string(JsonNode body, String name, boolean required) {
        JsonNode value = body.get(name);
        if (value == null) {
            if (required) {
                throw MatrixException.missingParam("Missing params: ['" + name + "']");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw MatrixException.badJson(name + " must be a string");
        }
        return value.asText();
    }

    private static void clientSecret(JsonNode body) {
        if (!CLIENT_SECRET.matcher(string(body, "client_secret", true)).matches()) {
            throw MatrixException.invalidParam("Invalid client_secret parameter");
        }
    }
}
