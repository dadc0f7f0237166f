package org.myelin.server.appservice;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;

/** Whether the homeserver reaches an application service (client-server API, "Application service ping"). */
public final class AppServicePingRoutes implements Routes {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AppServicePingRoutes.class);

    record PingResponse(long durationMs) {
    }

    /** The 4xx/5xx body: the spec's error with, for {@code M_BAD_STATUS}, what the service answered. */
    record PingFailure(String errcode, String error, Integer status, String body) {
    }

    private final Authenticator auth;
    private final AppServiceRegistry registry;
    private final AppServiceClient client;

    AppServicePingRoutes(Authenticator auth, AppServiceRegistry registry, AppServiceClient client) {
        this.auth = auth;
        this.registry = registry;
        this.client = client;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v1/appservice/:appserviceId/ping").handler(handlers.blocking(this::ping));
    }

    /**
     * {@code POST /_matrix/client/v1/appservice/{appserviceId}/ping}: only with that service's
     * {@code as_token} (else 403); posts {@code {transaction_id}} to the service's
     * {@code /_matrix/app/v1/ping} and answers how long it took. 400 {@code M_URL_NOT_SET}, 502
     * {@code M_BAD_STATUS} (with the service's status and body) or {@code M_CONNECTION_FAILED},
     * 504 {@code M_CONNECTION_TIMEOUT}.
     */
    JsonResponse ping(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        if (!requester.isAppService()) {
            throw MatrixException.forbidden("Only application services can use the /appservice/ping endpoint");
        }
        if (!requester.appServiceId().equals(Params.path(ctx, "appserviceId"))) {
            throw MatrixException.forbidden("Mismatching application service ID in path");
        }
        AppService service = registry.byId(requester.appServiceId()).orElseThrow();
        JsonNode body = Json.parseBody(ctx);
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        JsonNode txnId = body.get("transaction_id");
        if (txnId != null && !txnId.isNull() && !txnId.isTextual()) {
            throw MatrixException.invalidParam("transaction_id must be a string");
        }
        if (service.url() == null) {
            return failure(400, "M_URL_NOT_SET", "Application service doesn't have a URL configured", null, null);
        }
        byte[] request;
        try {
            request = Json.MAPPER.writeValueAsBytes(Json.MAPPER.createObjectNode()
                    .put("transaction_id", txnId == null || txnId.isNull() ? null : txnId.textValue()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        long start = System.nanoTime();
        AppServiceClient.Answer answer;
        try {
            answer = client.send(service, HttpMethod.POST, "/ping", request, TIMEOUT);
        } catch (AppServiceClient.Unreachable e) {
            LOG.warn("Ping of application service {} failed: {}", service.id(), e.getMessage());
            return e.timedOut
                    ? failure(504, "M_CONNECTION_TIMEOUT", "Timeout while pinging the application service", null, null)
                    : failure(502, "M_CONNECTION_FAILED", "Connection to the application service failed", null, null);
        }
        long durationMs = (System.nanoTime() - start) / 1_000_000;
        if (!answer.ok()) {
            return failure(502, "M_BAD_STATUS", "Ping returned status " + answer.status(), answer.status(),
                    new String(answer.body(), StandardCharsets.UTF_8));
        }
        return JsonResponse.ok(new PingResponse(durationMs));
    }

    private static JsonResponse failure(int status, String errcode, String error, Integer serviceStatus, String body) {
        return new JsonResponse(status, new PingFailure(errcode, error, serviceStatus, body));
    }

}
