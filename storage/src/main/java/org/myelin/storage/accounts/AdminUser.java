package org.myelin.storage.accounts;

/**
 * A local account as the admin API shows it (Synapse's {@code UserInfo} with the profile and the
 * last time any of its devices was seen).
 *
 * @param createdTs  registration time, milliseconds since the epoch
 * @param lastSeenTs when a device of the account was last seen, or null
 */
public record AdminUser(String userId, boolean isGuest, boolean isAdmin, String userType, boolean deactivated,
                        boolean erased, boolean shadowBanned, boolean locked, boolean suspended, String displayname,
                        String avatarUrl, long createdTs, Long lastSeenTs) {
}
