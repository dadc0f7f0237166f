package org.myelin.server.admin.users;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.myelin.storage.accounts.AdminUser;

/** The user objects of Synapse's admin API, with its nulls: clients of it read every key. */
final class UserViews {

    private UserViews() {
    }

    /**
     * {@code GET /_synapse/admin/v2/users/{userId}}. {@code creation_ts} is in seconds here, as
     * Synapse gives it (its list gives milliseconds).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Details(String name, String displayname, List<Object> threepids, String avatarUrl,
                   @JsonProperty("is_guest") boolean isGuest, boolean admin, boolean deactivated, boolean erased,
                   boolean shadowBanned, long creationTs, Long lastSeenTs, String appserviceId,
                   Long consentServerNoticeSent, String consentVersion, Long consentTs, List<Object> externalIds,
                   String userType, boolean locked, boolean suspended) {

        static Details of(AdminUser u) {
            return new Details(u.userId(), u.displayname(), List.of(), u.avatarUrl(), u.isGuest(), u.isAdmin(),
                    u.deactivated(), u.erased(), u.shadowBanned(), u.createdTs() / 1000, u.lastSeenTs(), null, null,
                    null, null, List.of(), u.userType(), u.locked(), u.suspended());
        }
    }

    /** One user of {@code GET /_synapse/admin/v2/users}; {@code creation_ts} in milliseconds. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record ListEntry(String name, @JsonProperty("is_guest") boolean isGuest, boolean admin, String userType,
                     boolean deactivated, boolean erased, boolean shadowBanned, String displayname, String avatarUrl,
                     long creationTs, Long lastSeenTs, boolean locked) {

        static ListEntry of(AdminUser u) {
            return new ListEntry(u.userId(), u.isGuest(), u.isAdmin(), u.userType(), u.deactivated(), u.erased(),
                    u.shadowBanned(), u.displayname(), u.avatarUrl(), u.createdTs(), u.lastSeenTs(), u.locked());
        }
    }

    /** {@code next_token} is left out on the last page. */
    record Page(List<ListEntry> users, String nextToken, long total) {
    }
}
