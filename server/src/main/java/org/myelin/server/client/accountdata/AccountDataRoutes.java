package org.myelin.server.client.accountdata;

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

import java.util.Set;

/** Account data, global and per room (client-server API, "Client Config"). */
public final class AccountDataRoutes implements Routes {

    private static final String USER = "/_matrix/client/v3/user/:userId";
    /** Types the server manages; clients set them through their own endpoints (405 here, as the spec says). */
    static final Set<String> SERVER_MANAGED = Set.of("m.fully_read", "m.push_rules");
    private final AccountData accountData;
    private final Authenticator auth;

    public AccountDataRoutes(AccountData accountData, Authenticator auth) {
        this.accountData = accountData;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get(USER + "/account_data/:type").handler(handlers.blocking(this::getGlobal));
        router.put(USER + "/account_data/:type").handler(handlers.blocking(BodyLimit.ACCOUNT_DATA, this::putGlobal));
        router.get(USER + "/rooms/:roomId/account_data/:type").handler(handlers.blocking(this::getRoom));
        router.put(USER + "/rooms/:roomId/account_data/:type").handler(handlers.blocking(BodyLimit.ACCOUNT_DATA, this::putRoom));
    }

    /** {@code GET /_matrix/client/v3/user/{userId}/account_data/{type}} (client-server API, "Client Config"). */
    JsonResponse getGlobal(RoutingContext ctx) {
        String userId = self(ctx, "Cannot get account data for other users.");
        return JsonResponse.ok(accountData.get(userId, null, Params.path(ctx, "type"))
                .orElseThrow(() -> MatrixException.notFound("Account data not found")));
    }

    /**
     * {@code PUT /_matrix/client/v3/user/{userId}/account_data/{type}} (client-server API, "Client
     * Config"). An {@code m.ignored_user_list} naming the user themselves is refused (400
     * M_INVALID_PARAM), as Synapse refuses it.
     */
    JsonResponse putGlobal(RoutingContext ctx) {
        String userId = self(ctx, "Cannot add account data for other users.");
        String type = settableType(ctx);
        ObjectNode content = objectBody(ctx);
        if (type.equals(IgnoredUsers.TYPE) && IgnoredUsers.parse(content.toString()).contains(userId)) {
            throw MatrixException.invalidParam("You cannot ignore yourself");
        }
        accountData.put(userId, null, type, content);
        return JsonResponse.empty();
    }

    /**
     * {@code GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}}
     * (client-server API, "Client Config").
     */
    JsonResponse getRoom(RoutingContext ctx) {
        String userId = self(ctx, "Cannot get account data for other users.");
        String roomId = Params.roomId(ctx, "roomId");
        return JsonResponse.ok(accountData.get(userId, roomId, Params.path(ctx, "type"))
                .orElseThrow(() -> MatrixException.notFound("Room account data not found")));
    }

    /**
     * {@code PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type}}
     * (client-server API, "Client Config").
     */
    JsonResponse putRoom(RoutingContext ctx) {
        String userId = self(ctx, "Cannot add account data for other users.");
        String roomId = Params.roomId(ctx, "roomId");
        String type = settableType(ctx);
        accountData.put(userId, roomId, type, objectBody(ctx));
        return JsonResponse.empty();
    }

    /** The requester, who must be the path's user (403 otherwise). */
    private String self(RoutingContext ctx, String refusal) {
        Requester requester = auth.require(ctx, true);
        if (!requester.userId().equals(Params.path(ctx, "userId"))) {
            throw MatrixException.forbidden(refusal);
        }
        return requester.userId();
    }

    private static String settableType(RoutingContext ctx) {
        String type = Params.path(ctx, "type");
        if (SERVER_MANAGED.contains(type)) {
            throw MatrixException.badJson("Cannot set " + type + " through this API.").withStatus(405);
        }
        return type;
    }

    /**
     * The body, which must be a JSON object (400 M_NOT_JSON / M_BAD_JSON); its size is bounded by
     * the route ({@link BodyLimit#ACCOUNT_DATA}).
     */
    static ObjectNode objectBody(RoutingContext ctx) {
        JsonNode body = Json.parseBody(ctx);
        if (!(body instanceof ObjectNode object)) {
            throw MatrixException.badJson("Content must be a JSON object.");
        }
        return object;
    }
}
