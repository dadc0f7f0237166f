package org.myelin.server.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.federation.FederationException;
import org.myelin.federation.auth.RequestAuthenticator;
import org.myelin.protocol.id.RoomAlias;
import org.myelin.protocol.id.UserId;
import org.myelin.rooms.LocalServer;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;
import org.myelin.storage.accounts.AccountRepository;
import org.myelin.storage.profiles.ProfileRepository;
import org.myelin.storage.rooms.AliasRepository;
import org.myelin.storage.rooms.MembershipRepository;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Queries other servers make of ours (server-server API, "Querying for information"): what one
 * of our room aliases names ({@code directory}) and one of our users' profile ({@code profile}).
 */
final class QueryRoutes implements Routes {

    /** The answer of the directory query: the room and servers in it. */
    record DirectoryAnswer(String roomId, List<String> servers) {
    }

    private final FederationAuth auth;
    private final LocalServer local;
    private final AliasRepository aliases;
    private final MembershipRepository memberships;
    private final AccountRepository accounts;
    private final ProfileRepository profiles;

    /** What the queries read. */
    record Parts(LocalServer local, AliasRepository aliases, MembershipRepository memberships,
                 AccountRepository accounts, ProfileRepository profiles) {
    }

    QueryRoutes(FederationAuth auth, Parts parts) {
        this.auth = auth;
        this.local = parts.local();
        this.aliases = parts.aliases();
        this.memberships = parts.memberships();
        this.accounts = parts.accounts();
        this.profiles = parts.profiles();
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/federation/v1/query/directory").handler(handlers.blocking(auth.authenticated(this::directory)));
        router.get("/_matrix/federation/v1/query/profile").handler(handlers.blocking(auth.authenticated(this::profile)));
    }

    /**
     * {@code GET /_matrix/federation/v1/query/directory?room_alias=…}: the room one of our aliases
     * names and the servers in it (this one first); 404 M_NOT_FOUND if unknown.
     */
    JsonResponse directory(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        String alias = required(ctx, "room_alias");
        if (!RoomAlias.isValid(alias) || !RoomAlias.parse(alias).server().toString().equals(local.serverName())) {
            throw FederationException.notFound("Room alias " + alias + " is not one of this server's");
        }
        AliasRepository.Alias found = aliases.find(alias)
                .orElseThrow(() -> FederationException.notFound("Room alias " + alias + " not found"));
        Set<String> servers = new LinkedHashSet<>();
        servers.add(local.serverName());
        servers.addAll(memberships.joinedServers(found.roomId()));
        return JsonResponse.ok(new DirectoryAnswer(found.roomId(), List.copyOf(servers)));
    }

    /**
     * {@code GET /_matrix/federation/v1/query/profile?user_id=…&field=…}: one of our users'
     * display name and avatar (only {@code field}, if named); 404 M_NOT_FOUND for an unknown user
     * or a field not set.
     */
    JsonResponse profile(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        String userId = required(ctx, "user_id");
        String field = ctx.queryParams().get("field");
        if (!UserId.isValid(userId) || !local.isLocalUser(userId)) {
            throw FederationException.invalidParam("User " + userId + " is not one of this server's");
        }
        if (!accounts.exists(userId)) {
            throw FederationException.notFound("Unknown user " + userId);
        }
        ObjectNode answer = Json.MAPPER.createObjectNode();
        profiles.find(userId).ifPresent(p -> {
            if (p.displayname() != null) {
                answer.put("displayname", p.displayname());
            }
            if (p.avatarUrl() != null) {
                answer.put("avatar_url", p.avatarUrl());
            }
        });
        if (field != null) {
            answer.retain(field);
            if (answer.isEmpty()) {
                throw FederationException.notFound("User " + userId + " has no " + field);
            }
        }
        return JsonResponse.ok(answer);
    }

    private static String required(RoutingContext ctx, String name) {
        String value = ctx.queryParams().get(name);
        if (value == null || value.isEmpty()) {
            throw FederationException.missingParam(name + " is required");
        }
        return value;
    }
}
