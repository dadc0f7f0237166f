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
        AuthState state = stateOf(head);
        if (!needsAuthoriser(head, state, userId)) {
            return Optional.empty();
        }
        requireInAnAllowedRoom(state, userId);
        return Optional.of(inviter(head, state));
    }

    /**
     * Checks, before this server countersigns it, a join that names {@code authoriser} (a local
     * user) in {@code join_authorised_via_users_server} (server-server API, {@code send_join}):
     * what {@code make_join} checks, since the user's server may have built the join itself. The
     * user must be let in by the allow list unless already joined or invited, and the authoriser
     * must be joined and able to invite.
     *
     * @throws FederationException as {@link #authorisingUser} does, and 403 when the authoriser
     *                             cannot authorise joins
     */
    public void requireMayAuthorise(RoomHead head, String userId, String authoriser) {
        AuthState state = stateOf(head);
        if (needsAuthoriser(head, state, userId)) {
            requireInAnAllowedRoom(state, userId);
        }
        PowerLevels levels = PowerLevels.in(state, head.version().auth());
        if (!canAuthorise(state, levels, authoriser)) {
            throw FederationException.forbidden(authoriser + " cannot authorise joins of this room");
        }
    }

    private AuthState stateOf(RoomHead head) {
        return key -> {
            String id = head.currentState().get(key);
            return id == null ? null : events.get(id);
        };
    }

    /** Whether the room's join rule lets {@code userId} in only through an allowed room. */
    private static boolean needsAuthoriser(RoomHead head, AuthState state, String userId) {
        Pdu joinRules = state.get(StateKey.joinRules());
        if (joinRules == null || !isRestricted(head, joinRules.content().path("join_rule").asText(""))) {
            return false;
        }
        String membership = state.membership(userId);
        return !"join".equals(membership) && !"invite".equals(membership);
    }

    /** Requires {@code userId} to be joined, as far as this server can tell, to a room the allow list names. */
    private void requireInAnAllowedRoom(AuthState state, String userId) {
        boolean knowsARoom = false;
        for (JsonNode condition : state.get(StateKey.joinRules()).content().path("allow")) {
            String allowed = condition.path("room_id").asText(null);
            if (!"m.room_membership".equals(condition.path("type").asText()) || allowed == null) {
                continue;
            }
            if (heads.get(allowed).isPresent()) {
                knowsARoom = true;
                boolean joined = memberships.of(allowed, userId).map(m -> m.membership().equals("join")).orElse(false);
                if (joined) {
                    return;
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

    /** Whether {@code user} can authorise a join: a local user, joined, with the power to invite. */
    private boolean canAuthorise(AuthState state, PowerLevels levels, String user) {
        return local.isLocalUser(user) && "join".equals(state.membership(user))
                && levels.userLevel(user) >= levels.invite();
    }

    /** The local joined member with the most power, if it may invite. */
    private String inviter(RoomHead head, AuthState state) {
        PowerLevels levels = PowerLevels.in(state, head.version().auth());
        List<String> candidates = memberships.members(head.roomId(), "join").stream()
                .map(MembershipRepository.Membership::userId)
                .filter(u -> canAuthorise(state, levels, u))
                .sorted(Comparator.comparingLong(levels::userLevel).reversed().thenComparing(u -> u))
                .toList();
        if (candidates.isEmpty()) {
            throw new FederationException(400, "M_UNABLE_TO_GRANT_JOIN",
                    "No user of this server in the room can invite; try another server");
        }
        return candidates.getFirst();
    }
}
