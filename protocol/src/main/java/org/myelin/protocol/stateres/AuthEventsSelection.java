package org.myelin.protocol.stateres;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

import java.util.ArrayList;
import java.util.List;

/**
 * The state keys an event's auth events are chosen under (server-server API, "Auth events
 * selection"): the keys the iterative auth checks take from the partially resolved state.
 *
 * <ul>
 *   <li>{@code m.room.create}, except from room version 12 on, where the room id names it;</li>
 *   <li>the current {@code m.room.power_levels} event;</li>
 *   <li>the sender's current {@code m.room.member} event;</li>
 *   <li>for {@code m.room.member}: the target's membership; the join rules if the membership is
 *       {@code join}, {@code invite} or {@code knock}; the {@code m.room.third_party_invite}
 *       named by {@code content.third_party_invite.signed.token} for such an invite; the
 *       membership of {@code content.join_authorised_via_users_server} for a join, where the room
 *       version has restricted rooms.</li>
 * </ul>
 */
final class AuthEventsSelection {

    private AuthEventsSelection() {
    }

    static List<StateKey> keysFor(Pdu event) {
        List<StateKey> keys = new ArrayList<>(6);
        if (event.is(StateKey.CREATE, "")) {
            return keys;
        }
        if (!event.roomVersion().auth().roomIdIsCreateEventHash()) {
            keys.add(StateKey.create());
        }
        keys.add(StateKey.powerLevels());
        keys.add(StateKey.member(event.sender()));
        if (StateKey.MEMBER.equals(event.type()) && event.stateKey() != null) {
            addMembershipKeys(event, keys);
        }
        return keys;
    }

    private static void addMembershipKeys(Pdu event, List<StateKey> keys) {
        keys.add(StateKey.member(event.stateKey()));
        String membership = event.membership();
        if ("join".equals(membership) || "invite".equals(membership) || "knock".equals(membership)) {
            keys.add(StateKey.joinRules());
        }
        if ("invite".equals(membership)) {
            JsonNode token = event.content().path("third_party_invite").path("signed").path("token");
            if (token.isTextual()) {
                keys.add(StateKey.of(StateKey.THIRD_PARTY_INVITE, token.textValue()));
            }
        }
        if ("join".equals(membership) && event.roomVersion().auth().restrictedJoins()) {
            JsonNode via = event.content().path("join_authorised_via_users_server");
            if (via.isTextual()) {
                keys.add(StateKey.member(via.textValue()));
            }
        }
    }
}
