package org.myelin.server.admin.users;

import java.util.List;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.Memberships;
import org.myelin.storage.accounts.AdminUserRepository;
import org.myelin.storage.rooms.MembershipRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An admin's deactivation of a local account, as Synapse's {@code deactivate_account}: the password
 * and every device and token go, the account leaves every room it is in and rejects its invites,
 * and with {@code erase} it is marked erased (its profile is cleared by every deactivation).
 */
final class Deactivation {

    private static final Logger LOG = LoggerFactory.getLogger(Deactivation.class);

    private final AccountServices accounts;
    private final AdminUserRepository users;
    private final MembershipRepository memberships;
    private final Memberships membershipChanges;

    Deactivation(AccountServices accounts, AdminUserRepository users, MembershipRepository memberships,
                 Memberships membershipChanges) {
        this.accounts = accounts;
        this.users = users;
        this.memberships = memberships;
        this.membershipChanges = membershipChanges;
    }

    void deactivate(String userId, boolean erase) {
        accounts.devicesDeleted(userId, accounts.accounts.deactivate(userId));
        leaveEveryRoom(userId);
        accounts.accountDeactivated(userId);
        if (erase) {
            users.setErased(userId, true);
        }
    }

    /** Leaves the rooms the user is in, rejects its invites and withdraws its knocks; one failure stops none. */
    private void leaveEveryRoom(String userId) {
        Requester user = new Requester(userId, "", false, 0);
        for (String membership : List.of("join", "invite", "knock")) {
            for (MembershipRepository.Membership m : memberships.roomsOf(userId, membership)) {
                try {
                    membershipChanges.leave(user, m.roomId(), null);
                } catch (RuntimeException e) {
                    LOG.warn("Deactivated {} could not leave {}: {}", userId, m.roomId(), e.toString());
                }
            }
        }
    }
}
