package org.myelin.server.client.rooms;

import java.util.Optional;

/**
 * A local user's global profile, copied into the {@code m.room.member} events made for them
 * (client-server API, {@code m.room.member}: {@code displayname}, {@code avatar_url}). Implemented
 * by the profile API; until it is plugged in, member events carry no profile.
 */
@FunctionalInterface
public interface ProfileLookup {

    /** A user's display name and avatar; either may be null. */
    record Profile(String displayname, String avatarUrl) {
    }

    Optional<Profile> profile(String userId);

    ProfileLookup NONE = userId -> Optional.empty();
}
