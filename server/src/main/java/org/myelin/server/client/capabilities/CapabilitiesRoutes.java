package org.myelin.server.client.capabilities;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.Routes;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/** What this server lets clients do (client-server API, "Capabilities negotiation"). */
public final class CapabilitiesRoutes implements Routes {

    /** {@code {"enabled": …}}, the shape of most capabilities. */
    record BooleanCapability(boolean enabled) {}

    /** {@code m.room_versions}: the default version of new rooms and each version's stability. */
    record RoomVersionsCapability(@JsonProperty("default") String defaultVersion, Map<String, String> available) {}

    /** {@code m.profile_fields}: every field may be changed (no {@code allowed} or {@code disallowed} list). */
    record ProfileFieldsCapability(boolean enabled) {}

    /** {@code m.account_moderation}: what a server admin may do to other accounts; left out for others. */
    record AccountModerationCapability(boolean lock, boolean suspend) {}

    record Capabilities(
            @JsonProperty("m.change_password") BooleanCapability changePassword,
            @JsonProperty("m.room_versions") RoomVersionsCapability roomVersions,
            @JsonProperty("m.set_displayname") BooleanCapability setDisplayname,
            @JsonProperty("m.set_avatar_url") BooleanCapability setAvatarUrl,
            @JsonProperty("m.3pid_changes") BooleanCapability threePidChanges,
            @JsonProperty("m.get_login_token") BooleanCapability getLoginToken,
            @JsonProperty("m.profile_fields") ProfileFieldsCapability profileFields,
            @JsonProperty("m.account_moderation") AccountModerationCapability accountModeration) {}

    /** The body of {@code GET /capabilities}. */
    record CapabilitiesResponse(Capabilities capabilities) {}

    private final Authenticator authenticator;
    private final Predicate<String> isAdmin;
    private final CapabilitiesResponse response;
    private final CapabilitiesResponse adminResponse;

    /**
     * @param defaultRoomVersion the version of rooms created without one ({@code default_room_version})
     * @param loginTokens        whether {@code POST /login/get_token} gives tokens
     *                           ({@code auth.login_via_existing_session.enabled})
     * @param isAdmin            whether a user is a server admin (who may lock and suspend accounts)
     */
    public CapabilitiesRoutes(Authenticator authenticator, RoomVersion defaultRoomVersion, boolean loginTokens,
                              Predicate<String> isAdmin) {
        this.authenticator = authenticator;
        this.isAdmin = isAdmin;
        Capabilities everyone = new Capabilities(
                new BooleanCapability(true),
                roomVersions(defaultRoomVersion),
                new BooleanCapability(true),
                new BooleanCapability(true),
                new BooleanCapability(false), // no third-party identifiers are bound here
                new BooleanCapability(loginTokens),
                new ProfileFieldsCapability(true),
                null);
        this.response = new CapabilitiesResponse(everyone);
        this.adminResponse = new CapabilitiesResponse(new Capabilities(everyone.changePassword(),
                everyone.roomVersions(), everyone.setDisplayname(), everyone.setAvatarUrl(), everyone.threePidChanges(),
                everyone.getLoginToken(), everyone.profileFields(), new AccountModerationCapability(true, true)));
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v3/capabilities").handler(handlers.blocking(this::capabilities));
    }

    /**
     * {@code GET /_matrix/client/v3/capabilities} (client-server API, "Capabilities
     * negotiation"): password changes and profile changes allowed; room versions from the
     * protocol's registry, the configured default among them; no 3PID changes; login tokens as
     * configured; for server admins, account locking and suspension. Guests may ask.
     */
    JsonResponse capabilities(RoutingContext ctx) {
        String userId = authenticator.require(ctx, true).userId();
        return JsonResponse.ok(isAdmin.test(userId) ? adminResponse : response);
    }

    private static RoomVersionsCapability roomVersions(RoomVersion defaultVersion) {
        Map<String, String> available = new LinkedHashMap<>();
        for (RoomVersion v : RoomVersions.all()) {
            available.put(v.id(), v.stable() ? "stable" : "unstable");
        }
        return new RoomVersionsCapability(defaultVersion.id(), available);
    }
}
