package org.myelin.server.client.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.pipeline.Input;
import org.myelin.rooms.pipeline.Outcome;
import org.myelin.server.RoomServices;
import org.myelin.storage.rooms.MembershipRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.Optional;

/**
 * Carries a profile change into the rooms (client-server API, "Events on Change of Profile
 * Information"): a new {@code m.room.member} join event in every room the user is joined to,
 * with the new {@code displayname} and {@code avatar_url} and the rest of the current member
 * content kept. Each goes through the one event pipeline like any other event.
 */
final class MemberEventUpdates {

    private static final Logger LOG = LoggerFactory.getLogger(MemberEventUpdates.class);

    /**
     * Dropped from the copied content: it vouches for a restricted join and must be signed by
     * the vouching server, which this event, not being a join from outside, does not need.
     */
    private static final String JOIN_AUTHORISED_VIA = "join_authorised_via_users_server";

    private final RoomServices rooms;

    MemberEventUpdates(RoomServices rooms) {
        this.rooms = rooms;
    }

    /** Sends the updated member event to each joined room; returns how many rooms got one. */
    int update(String userId, Profile profile) {
        int sent = 0;
        for (MembershipRepository.Membership m : rooms.memberships.roomsOf(userId, "join")) {
            try {
                if (updateRoom(m.roomId(), userId, profile)) {
                    sent++;
                }
            } catch (RuntimeException e) {
                // One room failing (the server left it meanwhile, a storage hiccup) must not stop the others.
                LOG.warn("Could not update {}'s member event in {}", userId, m.roomId(), e);
            }
        }
        return sent;
    }

    private boolean updateRoom(String roomId, String userId, Profile profile) {
        Optional<RoomHead> head = rooms.heads.get(roomId);
        String eventId = head.map(h -> h.currentState().get(StateKey.member(userId))).orElse(null);
        Pdu current = eventId == null ? null : rooms.eventCache.get(eventId);
        if (current == null || !"join".equals(current.membership())) {
            return false;
        }
        ObjectNode content = current.content().deepCopy();
        content.remove(JOIN_AUTHORISED_VIA);
        content.remove("displayname");
        content.remove("avatar_url");
        profile.addTo(content);
        if (Objects.equals(content, current.content())) {
            return false;
        }
        Outcome outcome = rooms.pipeline.submit(Input.LocalEvent.state(roomId, userId, StateKey.MEMBER, userId, content));
        if (!(outcome instanceof Outcome.Accepted)) {
            LOG.warn("{}'s new member event in {} was not accepted: {}", userId, roomId, outcome);
            return false;
        }
        return true;
    }
}
