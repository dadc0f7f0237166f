package org.myelin.federation.membership;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.federation.FederationException;
import org.myelin.protocol.auth.AuthState;
import org.myelin.protocol.auth.PowerLevels;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.storage.rooms.MembershipRepository;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Joins of restricted rooms on the resident server (server-server API, "Restricted rooms";
 * client-server API, "Restricted rooms"): when the room's join rule is {@code restricted} (or
 * {@code knock_restricted}) and the user is neither invited nor joined, the user must be joined to
 * one of the rooms its {@code allow} list names, as far as this server can tell; the join then
 * names, in {@code join_authorised_via_users_server}, a local member with the power to invite,
 * and this server signs it.
 */
public final class RestrictedJoins {

    private final LocalServer local;
    private final EventCache events;
    private final RoomHeads heads;
    private final MembershipRepository memberships;

    public RestrictedJoins(LocalServer local, EventCache events, RoomHeads heads, MembershipRepository memberships) {
        this.local = local;
        this.events = events;
        this.heads = heads;
        this.memberships = memberships;
    }

    /**
     * The local user who authorises {@code userId}'s join of the room at {@code head}; empty when
     * the join needs none.
     *
     * @throws FederationException 400 M_UNABLE_TO_AUTHORISE_JOIN when this server knows none of
     *                             the allowed rooms, 403 when the user is in none of them, 400
     *                             M_UNABLE_TO_GRANT_JOIN when no local member may invite
     */
    public Optional<String> authorisingUser(RoomHead head, String userId) {
        AuthState state = key -> {
            String id = head.currentState().get(key);
            return id == null ? null : events.get(id);
        };
        Pdu joinRules = state.get(StateKey.joinRules());
        if (joinRules == null || !isRestricted(head, joinRules.content().path("join_rule").asText(""))) {
            return Optional.empty();
        }
        String membership = state.membership(userId);
        if ("join".equals(membership) || "invite".equals(membership)) {
            return Optional.empty();
        }
        boolean knowsARoom = false;
        for (JsonNode condition : joinRules.content().path("allow")) {
            String allowed = condition.path("room_id").asText(null);
            if (!"m.room_membership".equals(condition.path("type").asText()) || allowed == null) {
                continue;
            }
            if (heads.get(allowed).isPresent()) {
                knowsARoom = true;
                boolean joined = memberships.of(allowed, userId).map(m -> m.membership().equals("join")).orElse(false);
                if (joined) {
                    return Optional.of(inviter(head, state));
                }
            }
        }
        if (!knowsARoom) {
            throw new FederationException(400, "M_UNABLE_TO_AUTHORISE_JOIN",
                    "This server cannot tell whether " + userId + " is in any of the rooms the join rules allow");
        }
        throw FederationException.forbidden(userId + " is not in any of the rooms the join rules allow");
    }

    private static boolean isRestricted(RoomHead head, String joinRule) {
        return (joinRule.equals("restricted") && head.version().auth().restrictedJoins())
                || (joinRule.equals("knock_restricted") && head.version().auth().knockRestrictedJoins());
    }

    /** The local joined member with the most power, if it may invite. */
    private String inviter(RoomHead head, AuthState state) {
        PowerLevels levels = PowerLevels.in(state, head.version().auth());
        List<String> candidates = memberships.members(head.roomId(), "join").stream()
                .map(MembershipRepository.Membership::userId)
                .filter(local::isLocalUser)
                .filter(u -> "join".equals(state.membership(u)))
                .filter(u -> levels.userLevel(u) >= levels.invite())
                .sorted(Comparator.comparingLong(levels::userLevel).reversed().thenComparing(u -> u))
                .toList();
        if (candidates.isEmpty()) {
            throw new FederationException(400, "M_UNABLE_TO_GRANT_JOIN",
                    "No user of this server in the room can invite; try another server");
        }
        return candidates.getFirst();
    }
}
