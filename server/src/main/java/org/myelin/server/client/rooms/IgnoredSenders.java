package org.myelin.server.client.rooms;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Whom a user ignores (client-server API, "Ignoring Users"): their {@code m.ignored_user_list}.
 * The port through which history visibility and /sync learn it from the account data.
 */
@FunctionalInterface
public interface IgnoredSenders {

    /** Nobody is ignored (until the account data is plugged in). */
    IgnoredSenders NONE = userId -> Set.of();

    /** The users {@code userId} ignores; empty when none. */
    Set<String> ignoredBy(String userId);

    /** Those of {@code users} who ignore {@code sender} (one look-up for all where the lists are stored). */
    default Set<String> ignoring(Collection<String> users, String sender) {
        Set<String> found = new HashSet<>();
        for (String user : users) {
            if (ignoredBy(user).contains(sender)) {
                found.add(user);
            }
        }
        return found;
    }
}
