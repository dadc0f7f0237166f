package org.myelin.server.admin.notices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.id.UserId;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.admin.AdminParams;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.accounts.AccountRepository;

/**
 * {@code POST /_synapse/admin/v1/send_server_notice} (Synapse's admin API, "Server Notices"): a
 * notice to one local user, {@code m.room.message} unless {@code type} says otherwise, a state
 * event when {@code state_key} is given. 400 when notices are not enabled ({@code server_notices}).
 */
public final class ServerNoticeRoutes implements Routes {

    record Sent(String eventId) {}

    private final AdminAuth auth;
    private final ServerNotices notices;
    private final AccountRepository accounts;
    private final String serverName;

    public ServerNoticeRoutes(AdminAuth auth, ServerNotices notices, AccountRepository accounts, String serverName) {
        this.auth = auth;
        this.notices = notices;
        this.accounts = accounts;
        this.serverName = serverName;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_synapse/admin/v1/send_server_notice").handler(handlers.blocking(this::send));
    }

    JsonResponse send(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        JsonNode body = Json.parseBody(ctx, Json.BodyKind.KEPT_AS_TEXT);
        if (!body.isObject()) {
            throw MatrixException.badJson("Request body must be a JSON object");
        }
        JsonNode userId = body.get("user_id");
        JsonNode content = body.get("content");
        if (userId == null || content == null) {
            throw MatrixException.missingParam("Missing params: " + (userId == null ? "['user_id']" : "['content']"));
        }
        if (!content.isObject()) {
            throw MatrixException.badJson("'content' must be a JSON object");
        }
        String type = text(body, "type", "m.room.message");
        String stateKey = text(body, "state_key", null);
        if (!notices.enabled()) {
            throw MatrixException.unknownBadRequest("Server notices are not enabled on this server");
        }
        if (!userId.isTextual() || !UserId.isValid(userId.asText())) {
            throw MatrixException.invalidParam("Invalid user_id");
        }
        if (!AdminParams.isLocal(userId.asText(), serverName)) {
            throw MatrixException.unknownBadRequest("Server notices can only be sent to local users");
        }
        if (!accounts.exists(userId.asText())) {
            throw MatrixException.notFound("User not found");
        }
        return JsonResponse.ok(new Sent(notices.send(userId.asText(), type, stateKey, (ObjectNode) content)));
    }

    private static String text(JsonNode body, String key, String fallback) {
        JsonNode value = body.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw MatrixException.badJson("'" + key + "' must be a string");
        }
        return value.asText();
    }
}
