package org.myelin.server;

import com.github.benmanes.caffeine.cache.Cache;
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
import org.myelin.storage.profiles.UserDirectoryRepository;
import org.myelin.storage.profiles.ProfileRepository;
import org.myelin.storage.push.PushRuleRepository;

import org.myelin.server.streams.StreamId;
import org.myelin.storage.streams.StreamCounters;
import org.myelin.storage.streams.StreamKind;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

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
    public final UserDirectoryRepository directory;
    private volatile Consumer<String> pushRulesChanged;

    UserServices(DataSource dataSource, RoomServices rooms, AccountServices accounts, Clock clock) {
        String serverName = rooms.local.serverName();
        this.pushRulesChanged = rooms.notifier::signal;
        this.profiles = new ProfileService(new ProfileRepository(dataSource), accounts.accounts, rooms);
        this.pushRules = new PushRules(new PushRuleRepository(dataSource), userId -> pushRulesChanged.accept(userId));
        this.push = new PushEvaluation(pushRules, rooms);
        // Presence positions are /sync's presence stream positions.
        PresenceRepository presenceStore = new PresenceRepository(dataSource,
                StreamCounters.allocator(StreamKind.PRESENCE));
        this.presence = new LocalPresence(presenceStore, clock, serverName, (userId, position) -> {
            // Wake the user's own /sync and those of everyone sharing a room with them.
            List<String> keys = new ArrayList<>();
            keys.add(userId);
            rooms.memberships.roomsOf(userId, "join").forEach(m -> keys.add(m.roomId()));
            rooms.streams.advanced(StreamId.PRESENCE, position, keys);
        });
        this.presenceVisibility = new PresenceVisibility(rooms.memberships, accounts.accounts, serverName);
        this.directory = new UserDirectoryRepository(dataSource);
        accounts.addLifecycleListener(new AccountLifecycle() {
            @Override
            public void accountDeactivated(String userId) {
                profiles.erase(userId);
                presence.set(userId, PresenceState.OFFLINE, null);
            }
        });
    }

    /**
     * What to do when a user's push rules change (by default: wake their /sync); the server stores
     * them as the user's {@code m.push_rules} account data, which also wakes the sync.
     */
    void onPushRulesChanged(Consumer<String> listener) {
        this.pushRulesChanged = listener;
    }

    /** The users' caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        Map<String, Cache<?, ?>> caches = new HashMap<>(pushRules.caches());
        caches.putAll(push.caches());
        return caches;
    }
}
