package org.myelin.server.admin.notices;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.client.accountdata.AccountData;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.profile.ProfileService;
import org.myelin.server.client.rooms.CreateRoomRequest;
import org.myelin.server.client.rooms.Memberships;
import org.myelin.server.client.rooms.RoomActions;
import org.myelin.server.client.rooms.RoomCreation;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.storage.accounts.Account;
import org.myelin.storage.accounts.AccountRepository;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.ServerNoticeRoomRepository;

/**
 * Server notices (Synapse's {@code ServerNoticesManager}): each user gets a room of their own,
 * made by the system user (registered on first use, with no password), named after the config,
 * tagged {@code m.server_notice} for the user, where the user cannot speak (users_default -10).
 * The room is reused while the user is joined to it or invited; after they leave, the next notice
 * makes a new one.
 */
public final class ServerNotices {

    static final String TAG = "m.server_notice";

    /** What sending notices needs. */
    public record Parts(HomeserverConfig.ServerNotices config, String serverName, AccountRepository accounts,
                        ProfileService profiles, ServerNoticeRoomRepository rooms, MembershipRepository memberships,
                        RoomCreation creation, Memberships membershipChanges, RoomActions actions,
                        AccountData accountData, Clock clock) {
    }

    private final Parts p;
    private final String systemUserId;
    /** One notices room per user even when two notices to them are sent at once. */
    private final ReentrantLock making = new ReentrantLock();

    public ServerNotices(Parts parts) {
        this.p = parts;
        this.systemUserId = parts.config().enabled()
                ? "@" + parts.config().systemMxidLocalpart() + ":" + parts.serverName() : null;
    }

    public boolean enabled() {
        return systemUserId != null;
    }

    /** Sends a notice to the local user {@code userId}; a state event when {@code stateKey} is given. */
    public String send(String userId, String type, String stateKey, ObjectNode content) {
        ensureSystemUser();
        String roomId = roomOf(userId);
        if (stateKey != null) {
            return p.actions().sendState(roomId, systemUserId, type, stateKey, content);
        }
        return p.actions().submit(Input.LocalEvent.message(roomId, systemUserId, type, content)).eventId();
    }

    /** The user's notices room, made (and the user invited) if they have none they are in or invited to. */
    private String roomOf(String userId) {
        making.lock();
        try {
            return roomOrNew(userId);
        } finally {
            making.unlock();
        }
    }

    private String roomOrNew(String userId) {
        Optional<String> known = p.rooms().roomOf(userId).filter(room -> membership(room, userId)
                .filter(m -> m.equals("join") || m.equals("invite")).isPresent());
        if (known.isPresent()) {
            return known.get();
        }
        ObjectNode levels = JsonNodeFactory.instance.objectNode().put("users_default", -10);
        CreateRoomRequest request = new CreateRoomRequest(null, null, p.config().roomName(), null, List.of(userId),
                null, null, null, null, "private_chat", null, levels);
        String roomId = p.creation().create(new Requester(systemUserId, "", false, 0), request);
        p.rooms().set(userId, roomId);
        p.accountData().putTag(userId, roomId, TAG, JsonNodeFactory.instance.objectNode());
        return roomId;
    }

    private Optional<String> membership(String roomId, String userId) {
        return p.memberships().of(roomId, userId).map(MembershipRepository.Membership::membership);
    }

    private void ensureSystemUser() {
        if (p.accounts().exists(systemUserId)) {
            return;
        }
        p.accounts().register(new Account(systemUserId, null, false, false, false, p.clock().millis()), null);
        p.profiles().createDefault(systemUserId);
        if (p.config().systemMxidDisplayName() != null) {
            p.profiles().set(systemUserId, "displayname",
                    JsonNodeFactory.instance.textNode(p.config().systemMxidDisplayName()));
        }
        if (p.config().systemMxidAvatarUrl() != null) {
            p.profiles().set(systemUserId, "avatar_url",
                    JsonNodeFactory.instance.textNode(p.config().systemMxidAvatarUrl()));
        }
    }
}
