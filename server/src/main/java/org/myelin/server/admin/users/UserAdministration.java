package org.myelin.server.admin.users;

import java.util.List;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.admin.AdminRestrictions;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.client.profile.ProfileService;
import org.myelin.server.client.rooms.Memberships;
import org.myelin.server.http.Routes;
import org.myelin.storage.accountdata.AccountDataRepository;
import org.myelin.storage.accounts.AdminUserRepository;
import org.myelin.storage.accounts.RateLimitOverrideRepository;
import org.myelin.storage.rooms.MembershipRepository;

/** The user side of the admin API, wired by constructors. */
public final class UserAdministration {

    /** What the user endpoints need. */
    public record Parts(AdminAuth auth, AccountServices accounts, AdminUserRepository users,
                        RateLimitOverrideRepository overrides, AdminRestrictions restrictions, ProfileService profiles,
                        MembershipRepository memberships, Memberships membershipChanges,
                        AccountDataRepository accountData) {
    }

    private UserAdministration() {
    }

    public static List<Routes> routes(Parts p) {
        Deactivation deactivation = new Deactivation(p.accounts(), p.users(), p.memberships(), p.membershipChanges());
        UserEditor editor = new UserEditor(p.accounts(), p.users(), p.profiles(), deactivation, p.restrictions());
        String serverName = p.accounts().serverName;
        return List.of(
                new UserAdminRoutes(p.auth(), p.users(), editor, serverName),
                new AccountAdminRoutes(new AccountAdminRoutes.Parts(p.auth(), p.accounts(), p.users(), editor,
                        deactivation, p.memberships(), p.accountData())),
                new UserDeviceAdminRoutes(p.auth(), p.accounts()),
                new ModerationRoutes(p.auth(), p.users(), p.overrides(), p.restrictions(), serverName),
                new AccountModerationRoutes(p.auth(), p.users(), p.restrictions(), serverName));
    }
}
