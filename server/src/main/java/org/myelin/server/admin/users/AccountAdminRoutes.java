package org.myelin.server.admin.users;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.admin.AdminParams;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.auth.Tokens;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.server.client.rooms.Params;
import org.myelin.storage.accountdata.AccountDataRepository;
import org.myelin.storage.accounts.AdminUserRepository;
import org.myelin.storage.accounts.Device;
import org.myelin.storage.rooms.MembershipRepository;

/**
 * An admin's actions on one account (Synapse's admin API, "User Admin API"): deactivation,
 * password reset, sessions (whois), logging in as the user, the rooms it joined and its account data.
 */
public final class AccountAdminRoutes implements Routes {

    private static final String V1 = "/_synapse/admin/v1";

    record DeactivateResponse(String idServerUnbindResult) {}

    record Connection(String ip, Long lastSeen, String userAgent) {}

    record Session(List<Connection> connections) {}

    record DeviceSessions(List<Session> sessions) {}

    record Whois(String userId, Map<String, DeviceSessions> devices) {}

    record LoginToken(String accessToken) {}

    record JoinedRooms(List<String> joinedRooms, int total) {}

    record AccountData(ObjectNode global, Map<String, ObjectNode> rooms) {}

    record AccountDataResponse(AccountData accountData) {}

    private final AdminAuth auth;
    private final AccountServices accounts;
    private final AdminUserRepository users;
    private final UserEditor editor;
    private final Deactivation deactivation;
    private final MembershipRepository memberships;
    private final AccountDataRepository accountData;

    record Parts(AdminAuth auth, AccountServices accounts, AdminUserRepository users, UserEditor editor,
                 Deactivation deactivation, MembershipRepository memberships, AccountDataRepository accountData) {
    }

    AccountAdminRoutes(Parts parts) {
        this.auth = parts.auth();
        this.accounts = parts.accounts();
        this.users = parts.users();
        this.editor = parts.editor();
        this.deactivation = parts.deactivation();
        this.memberships = parts.memberships();
        this.accountData = parts.accountData();
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post(V1 + "/deactivate/:userId").handler(handlers.blocking(this::deactivate));
        router.post(V1 + "/reset_password/:userId").handler(handlers.blocking(this::resetPassword));
        router.get(V1 + "/whois/:userId").handler(handlers.blocking(this::whois));
        router.get("/_matrix/client/v3/admin/whois/:userId").handler(handlers.blocking(this::whois));
        router.post(V1 + "/users/:userId/login").handler(handlers.blocking(this::loginAs));
        router.get(V1 + "/users/:userId/joined_rooms").handler(handlers.blocking(this::joinedRooms));
        router.get(V1 + "/users/:userId/accountdata").handler(handlers.blocking(this::accountData));
    }

    /**
     * {@code POST /_synapse/admin/v1/deactivate/{userId}} (Synapse's "Deactivate Account"):
     * {@code erase} marks the user erased too. The body may be empty.
     */
    JsonResponse deactivate(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        String userId = AdminParams.localUserId(ctx, "userId", accounts.serverName, "Can only deactivate local users");
        JsonNode body = optionalObject(ctx);
        JsonNode erase = body.path("erase");
        if (!erase.isMissingNode() && !erase.isBoolean()) {
            throw MatrixException.badJson("Param 'erase' must be a boolean, if given");
        }
        users.find(userId).orElseThrow(() -> MatrixException.notFound("User not found"));
        deactivation.deactivate(userId, erase.asBoolean(false));
        return JsonResponse.ok(new DeactivateResponse("no-support"));
    }

    /**
     * {@code POST /_synapse/admin/v1/reset_password/{userId}} (Synapse's "Reset password"):
     * {@code new_password}, and {@code logout_devices} (default true) to end every session.
     */
    JsonResponse resetPassword(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        String userId = AdminParams.localUserId(ctx, "userId", accounts.serverName,
                "Can only reset the password of local users");
        JsonNode body = optionalObject(ctx);
        JsonNode password = body.get("new_password");
        if (password == null) {
            throw MatrixException.missingParam("Missing params: ['new_password']");
        }
        if (!password.isTextual()) {
            throw MatrixException.invalidParam("Invalid password");
        }
        JsonNode logout = body.path("logout_devices");
        if (!logout.isMissingNode() && !logout.isBoolean()) {
            throw MatrixException.badJson("Param 'logout_devices' must be a boolean, if given");
        }
        users.find(userId).orElseThrow(() -> MatrixException.notFound("User not found"));
        editor.setPassword(userId, password.asText(), logout.asBoolean(true));
        return JsonResponse.empty();
    }

    /**
     * {@code GET /_synapse/admin/v1/whois/{userId}} and {@code GET /_matrix/client/v3/admin/whois/{userId}}
     * (client-server API, "Server administration"): the user's devices' last connections, all under
     * one session, as Synapse groups them. A user may ask about themselves.
     */
    JsonResponse whois(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        String userId = AdminParams.userId(ctx, "userId");
        if (!requester.userId().equals(userId) && !auth.isAdmin(requester.userId())) {
            throw MatrixException.forbidden("You are not a server admin");
        }
        if (!AdminParams.isLocal(userId, accounts.serverName)) {
            throw MatrixException.unknownBadRequest("Can only whois a local user");
        }
        List<Connection> connections = new ArrayList<>();
        for (Device d : accounts.accounts.devices(userId)) {
            if (d.lastSeenTs() != null || d.lastSeenIp() != null) {
                connections.add(new Connection(d.lastSeenIp(), d.lastSeenTs(), null));
            }
        }
        return JsonResponse.ok(new Whois(userId, Map.of("", new DeviceSessions(List.of(new Session(connections))))));
    }

    /**
     * {@code POST /_synapse/admin/v1/users/{userId}/login} (Synapse's "Login as a user"): an access
     * token of the user that belongs to no device, valid until {@code valid_until_ms} if given.
     */
    JsonResponse loginAs(RoutingContext ctx) {
        Requester admin = auth.requireAdmin(ctx);
        String userId = AdminParams.localUserId(ctx, "userId", accounts.serverName,
                "Only local users can be logged in as");
        JsonNode body = optionalObject(ctx);
        JsonNode validUntil = body.path("valid_until_ms");
        if (!validUntil.isMissingNode() && !validUntil.isNull() && !validUntil.canConvertToExactIntegral()) {
            throw MatrixException.unknownBadRequest("'valid_until_ms' parameter must be an int");
        }
        Long expires = validUntil.isMissingNode() || validUntil.isNull() ? null : validUntil.asLong();
        if (expires != null && expires < accounts.clock.millis()) {
            throw MatrixException.unknownBadRequest("'valid_until_ms' parameter must not be in the past");
        }
        if (admin.userId().equals(userId)) {
            throw MatrixException.unknownBadRequest("Cannot use admin API to login as self");
        }
        users.find(userId).orElseThrow(() -> MatrixException.notFound("User not found"));
        String token = Tokens.newAccessToken();
        accounts.tokens.createAdminLoginToken(userId, admin.userId(), Tokens.hash(token), expires,
                accounts.clock.millis());
        return JsonResponse.ok(new LoginToken(token));
    }

    /** {@code GET /_synapse/admin/v1/users/{userId}/joined_rooms} (Synapse's "List joined rooms of a user"). */
    JsonResponse joinedRooms(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        String userId = AdminParams.userId(ctx, "userId");
        List<String> rooms = memberships.roomsOf(userId, "join").stream().map(MembershipRepository.Membership::roomId)
                .sorted().toList();
        return JsonResponse.ok(new JoinedRooms(rooms, rooms.size()));
    }

    /** {@code GET /_synapse/admin/v1/users/{userId}/accountdata} (Synapse's "Account Data"): global and per room. */
    JsonResponse accountData(RoutingContext ctx) {
        auth.requireAdmin(ctx);
        String userId = AdminParams.localUserId(ctx, "userId", accounts.serverName, "Can only look up local users");
        users.find(userId).orElseThrow(() -> MatrixException.notFound("User not found"));
        ObjectNode global = JsonNodeFactory.instance.objectNode();
        Map<String, ObjectNode> rooms = new LinkedHashMap<>();
        for (AccountDataRepository.Entry e : accountData.changed(userId, Long.MIN_VALUE, Long.MAX_VALUE)) {
            ObjectNode content = MatrixJson.parseObject(e.content().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    MatrixJson.Numbers.LENIENT);
            if (e.roomId() == null) {
                global.set(e.type(), content);
            } else {
                rooms.computeIfAbsent(e.roomId(), r -> JsonNodeFactory.instance.objectNode()).set(e.type(), content);
            }
        }
        return JsonResponse.ok(new AccountDataResponse(new AccountData(global, rooms)));
    }

    /** The body as an object; {@code {}} when there is none (Synapse accepts an empty body here). */
    private static JsonNode optionalObject(RoutingContext ctx) {
        ObjectNode body = Params.optionalObject(ctx, org.myelin.server.http.Json.BodyKind.DATA);
        return body == null ? JsonNodeFactory.instance.objectNode() : body;
    }
}
