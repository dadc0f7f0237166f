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
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;
import org.myelin.server.client.profile.ProfileService;
import org.myelin.storage.rooms.AliasRepository;
import org.myelin.storage.rooms.MembershipRepository;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Queries other servers make of ours (server-server API, "Querying for information"): what one
 * of our room aliases names ({@code directory}) and one of our users' profile ({@code profile}).
 * Other query types are unknown here (404 M_NOT_FOUND).
 */
final class QueryRoutes implements Routes {

    /** The answer of the directory query: the room and servers in it. */
    record DirectoryAnswer(String roomId, List<String> servers) {
    }

    private final FederationAuth auth;
    private final LocalServer local;
    private final AliasRepository aliases;
    private final MembershipRepository memberships;
    private final ProfileService profiles;

    /** What the queries read. */
    record Parts(LocalServer local, AliasRepository aliases, MembershipRepository memberships,
                 ProfileService profiles) {
    }

    QueryRoutes(FederationAuth auth, Parts parts) {
        this.auth = auth;
        this.local = parts.local();
        this.aliases = parts.aliases();
        this.memberships = parts.memberships();
        this.profiles = parts.profiles();
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/federation/v1/query/directory").handler(handlers.blocking(auth.authenticated(this::directory)));
        router.get("/_matrix/federation/v1/query/profile").handler(handlers.blocking(auth.authenticated(this::profile)));
        router.get("/_matrix/federation/v1/query/:queryType").handler(handlers.blocking(auth.authenticated(this::unknown)));
    }

    /**
     * {@code GET /_matrix/federation/v1/query/{queryType}} of any other type: 404 M_NOT_FOUND after
     * the request is authenticated, as Synapse answers a type it has no handler for (not the
     * router's M_UNRECOGNIZED: the endpoint exists, the type does not).
     */
    JsonResponse unknown(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        throw FederationException.notFound("No handler for Federation query type '" + ctx.pathParam("queryType") + "'");
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
     * profile (only {@code field}, if named), as the client-server API gives it; 404 M_NOT_FOUND
     * for an unknown user or one without a profile. A named field the user has not set is
     * {@code null}, as Synapse answers it: Synapse asks for each field of every new member and
     * takes a 404 for a failure.
     */
    JsonResponse profile(RoutingContext ctx, RequestAuthenticator.Authenticated r) {
        String userId = required(ctx, "user_id");
        String field = ctx.queryParams().get("field");
        if (!UserId.isValid(userId) || !local.isLocalUser(userId)) {
            throw FederationException.invalidParam("User " + userId + " is not one of this server's");
        }
        ObjectNode profile = profiles.all(userId)
                .orElseThrow(() -> FederationException.notFound("No profile for " + userId));
        if (field != null) {
            profile.retain(field);
            if (profile.isEmpty()) {
                profile.putNull(field);
            }
        }
        return JsonResponse.ok(profile);
    }

    private static String required(RoutingContext ctx, String name) {
        String value = ctx.queryParams().get(name);
        if (value == null || value.isEmpty()) {
            throw FederationException.missingParam(name + " is required");
        }
        return value;
    }
}
