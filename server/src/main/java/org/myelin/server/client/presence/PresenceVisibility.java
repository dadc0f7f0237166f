package org.myelin.server.client.presence;

import org.myelin.storage.accounts.AccountRepository;
import org.myelin.storage.rooms.MembershipRepository;

import java.util.HashSet;
import java.util.Set;

/**
 * Whose presence a user may see (client-server API, "Presence", security considerations:
 * "published to all users who share a room with the target user"): their own, and that of
 * users they share a joined room with, as in Synapse.
 */
public final class PresenceVisibility {

    /** The answer for one observer and one observed user. */
    public enum Verdict { VISIBLE, FORBIDDEN, UNKNOWN_USER }

    private final MembershipRepository memberships;
    private final AccountRepository accounts;
    private final String serverName;

    public PresenceVisibility(MembershipRepository memberships, AccountRepository accounts, String serverName) {
        this.memberships = memberships;
        this.accounts = accounts;
        this.serverName = serverName;
    }

    public Verdict check(String observer, String observed) {
        if (observer.equals(observed)) {
            return Verdict.VISIBLE;
        }
        if (observed.endsWith(":" + serverName) && !accounts.exists(observed)) {
            return Verdict.UNKNOWN_USER;
        }
        Set<String> rooms = new HashSet<>();
        memberships.roomsOf(observer, "join").forEach(m -> rooms.add(m.roomId()));
        boolean shared = memberships.roomsOf(observed, "join").stream().anyMatch(m -> rooms.contains(m.roomId()));
        return shared ? Verdict.VISIBLE : Verdict.FORBIDDEN;
    }
}
