package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.LocalServer;
import org.myelin.storage.accounts.Account;
import org.myelin.storage.accounts.AccountRepository;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.rooms.MembershipRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Guests leave a room that stops admitting them (client-server API, "Guest Access", server
 * behaviour: "If the {@code m.room.guest_access} event is changed to stop this from being the
 * case, the server MUST set those users' {@code m.room.member} state to {@code leave}"). Whoever
 * made the change, here or on another server, each server sees to its own guests: this one sends
 * a leave as each of its guests joined to the room, as Synapse's {@code kick_guest_users} does.
 *
 * <p>Told of commits on the persister's thread, where nothing may block, it only notes the room;
 * the leaves go through the pipeline (and the room's lock) from a virtual thread of their own.
 */
public final class GuestAccessRevocation {

    private static final Logger LOG = LoggerFactory.getLogger(GuestAccessRevocation.class);
    private static final StateKey GUEST_ACCESS = StateKey.of("m.room.guest_access", "");

    private final RoomAccess access;
    private final MembershipRepository memberships;
    private final AccountRepository accounts;
    private final RoomActions actions;
    private final LocalServer local;

    public GuestAccessRevocation(RoomAccess access, RoomActions actions, MembershipRepository memberships,
                                 AccountRepository accounts, LocalServer local) {
        this.access = access;
        this.actions = actions;
        this.memberships = memberships;
        this.accounts = accounts;
        this.local = local;
    }

    /** The persister's commit listener: a visible guest access event that shuts guests out. */
    public void committed(List<PersistedEvent> batch) {
        for (PersistedEvent e : batch) {
            Pdu pdu = e.pdu();
            if (e.visible() && !e.alreadyKnown() && GUEST_ACCESS.type().equals(pdu.type())
                    && GUEST_ACCESS.stateKey().equals(pdu.stateKey()) && !admitsGuests(pdu)) {
                String roomId = pdu.roomId();
                Thread.ofVirtual().name("guest-access-revocation").start(() -> guestsLeave(roomId));
            }
        }
    }

    /** Each local guest joined to the room leaves, unless the room admits guests again by now. */
    void guestsLeave(String roomId) {
        try {
            Pdu current = access.currentState(roomId, GUEST_ACCESS);
            if (current != null && admitsGuests(current)) {
                return;
            }
            for (MembershipRepository.Membership m : memberships.members(roomId, "join")) {
                if (local.isLocalUser(m.userId()) && accounts.account(m.userId()).map(Account::isGuest).orElse(false)) {
                    leave(roomId, m.userId());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not make the guests of {} leave after its guest access was revoked", roomId, e);
        }
    }

    private void leave(String roomId, String guest) {
        ObjectNode content = JsonNodeFactory.instance.objectNode().put("membership", "leave");
        try {
            actions.sendState(roomId, guest, StateKey.MEMBER, guest, content);
        } catch (RuntimeException e) { // one guest's refused leave (banned meanwhile, say) must not keep the others
            LOG.warn("Could not make guest {} leave {}", guest, roomId, e);
        }
    }

    private static boolean admitsGuests(Pdu guestAccess) {
        return "can_join".equals(guestAccess.content().path("guest_access").asText());
    }
}
