package org.myelin.server;

import org.myelin.server.client.account.AccountLifecycle;
import org.myelin.server.client.account.AccountServices;
import org.myelin.server.client.presence.LocalPresence;
import org.myelin.server.client.presence.PresenceService;
import org.myelin.server.client.presence.PresenceState;
import org.myelin.server.client.presence.PresenceVisibility;
import org.myelin.server.client.profile.ProfileService;
import org.myelin.server.client.push.PushEvaluation;
import org.myelin.server.client.push.PushRules;
import org.myelin.storage.presence.PresenceRepository;
import org.myelin.storage.profiles.ProfileRepository;
import org.myelin.storage.push.PushRuleRepository;

import javax.sql.DataSource;
import java.time.Clock;

/**
 * What the server keeps per user beyond the account, wired by constructors: profiles, push
 * rules and their evaluation, presence.
 */
public final class UserServices {

    public final ProfileService profiles;
    public final PushRules pushRules;
    public final PushEvaluation push;
    public final PresenceService presence;
    public final PresenceVisibility presenceVisibility;

    UserServices(DataSource dataSource, RoomServices rooms, AccountServices accounts, Clock clock) {
        String serverName = rooms.local.serverName();
        this.profiles = new ProfileService(new ProfileRepository(dataSource), accounts.accounts, rooms);
        this.pushRules = new PushRules(new PushRuleRepository(dataSource), rooms.notifier::signal);
        this.push = new PushEvaluation(pushRules, rooms);
        this.presence = new LocalPresence(new PresenceRepository(dataSource), clock, serverName, (userId, position) -> {
            // Wake the user's own /sync and those of everyone sharing a room with them.
            rooms.notifier.signal(userId);
            rooms.memberships.roomsOf(userId, "join").forEach(m -> rooms.notifier.signal(m.roomId()));
        });
        this.presenceVisibility = new PresenceVisibility(rooms.memberships, accounts.accounts, serverName);
        accounts.addLifecycleListener(new AccountLifecycle() {
            @Override
            public void accountDeactivated(String userId) {
                profiles.erase(userId);
                presence.set(userId, PresenceState.OFFLINE, null);
            }
        });
    }
}
