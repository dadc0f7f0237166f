package org.myelin.protocol.auth;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which state entries an event's {@code auth_events} are drawn from (server-server API, "Auth
 * events selection"): the create event (before room version 12), the power levels, the
 * sender's membership, and for a membership event the target's membership, the join rules
 * (join, invite, knock), the third-party invite named by {@code signed.token} (invite), and the
 * authorising user's membership (restricted join). Each is included "if any": the state may
 * lack some of them. The create event itself has no auth events.
 */
public final class AuthEventsSelection {

    private AuthEventsSelection() {
    }

    /** The keys {@code event}'s auth events may have. */
    public static Set<StateKey> requiredFor(Pdu event) {
        return requiredFor(event.type(), event.stateKey(), event.sender(), event.content(), event.roomVersion());
    }

    /**
     * The keys the auth events of an event with these fields may have, in the order they are
     * listed in the spec.
     *
     * @param stateKey null for a message event
     * @param content  the event content; only membership fields are read
     */
    public static Set<StateKey> requiredFor(String type, String stateKey, String sender, JsonNode content,
                                            RoomVersion version) {
        Set<StateKey> keys = new LinkedHashSet<>();
        if (StateKey.CREATE.equals(type) && "".equals(stateKey)) {
            return keys;
        }
        if (!version.auth().roomIdIsCreateEventHash()) {
            keys.add(StateKey.create());
        }
        keys.add(StateKey.powerLevels());
        keys.add(StateKey.member(sender));
        if (StateKey.MEMBER.equals(type) && stateKey != null) {
            addMembershipKeys(keys, stateKey, content, version);
        }
        return keys;
    }

    private static void addMembershipKeys(Set<StateKey> keys, String target, JsonNode content, RoomVersion version) {
        keys.add(StateKey.member(target));
        String membership = text(content.get("membership"));
        if ("join".equals(membership) || "invite".equals(membership) || "knock".equals(membership)) {
            keys.add(StateKey.joinRules());
        }
        if ("invite".equals(membership)) {
            String token = text(content.path("third_party_invite").path("signed").get("token"));
            if (token != null) {
                keys.add(StateKey.of(StateKey.THIRD_PARTY_INVITE, token));
            }
        }
        if ("join".equals(membership) && version.auth().restrictedJoins()) {
            String authoriser = text(content.get("join_authorised_via_users_server"));
            if (authoriser != null) {
                keys.add(StateKey.member(authoriser));
            }
        }
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }
}
