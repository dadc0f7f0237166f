package org.myelin.server.client.profile;

import java.util.Optional;

/**
 * Looks up local users' global profiles, so that the membership events the server writes for
 * them (join, invite of a local user …) carry {@code displayname} and {@code avatar_url}
 * (client-server API, "Events on Change of Profile Information"). Implemented by
 * {@link ProfileService}.
 *
 * <pre>{@code
 * ObjectNode content = JsonNodeFactory.instance.objectNode().put("membership", "join");
 * profiles.lookup(userId).ifPresent(p -> p.addTo(content));
 * }</pre>
 */
@FunctionalInterface
public interface Profiles {

    /** No profiles: every lookup is empty. */
    Profiles NONE = userId -> Optional.empty();

    /** The user's profile; empty for users this server does not know, remote users included. */
    Optional<Profile> lookup(String userId);
}
