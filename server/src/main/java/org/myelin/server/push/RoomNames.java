package org.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The names a push notification shows (push gateway API, {@code sender_display_name} and
 * {@code room_name}), from the room's current state, as Synapse's {@code get_context_for_event}
 * and {@code calculate_room_name} give them: the room's name, else its canonical alias, else one
 * made of its other members, but never the name of the one other member of a direct chat.
 */
final class RoomNames {

    /** What a notification names; either may be null. */
    record Names(String senderDisplayName, String roomName) {
    }

    private static final Pattern ALIAS = Pattern.compile("^#.*:.+$");
    private static final String ALL_ALONE = "Empty Room";

    private final RoomHeads heads;
    private final EventCache events;

    RoomNames(RoomHeads heads, EventCache events) {
        this.heads = heads;
        this.events = events;
    }

    /** The names in a notification of {@code event} for {@code userId}. */
    Names of(Pdu event, String userId) {
        Map<StateKey, String> state = heads.get(event.roomId()).map(RoomHead::currentState).orElse(null);
        if (state == null || state.isEmpty()) {
            return fromInviteState(event);
        }
        Pdu sender = stateEvent(state, StateKey.member(event.sender()));
        return new Names(sender == null ? null : nameOf(sender), roomName(state, userId));
    }

    private String roomName(Map<StateKey, String> state, String userId) {
        String name = text(stateEvent(state, StateKey.of("m.room.name", "")), "name");
        if (name != null && !name.isEmpty()) {
            return name;
        }
        String alias = text(stateEvent(state, StateKey.of("m.room.canonical_alias", "")), "alias");
        if (alias != null && ALIAS.matcher(alias).matches()) {
            return alias;
        }
        Pdu mine = stateEvent(state, StateKey.member(userId));
        if (mine != null && "invite".equals(mine.membership())) {
            return state.containsKey(StateKey.member(mine.sender())) ? null : "Room Invite";
        }
        List<Pdu> members = new ArrayList<>();
        boolean thirdPartyInvites = false;
        for (Map.Entry<StateKey, String> e : state.entrySet()) {
            if (e.getKey().type().equals(StateKey.THIRD_PARTY_INVITE)) {
                thirdPartyInvites = true;
            } else if (e.getKey().type().equals(StateKey.MEMBER)) {
                Pdu member = events.get(e.getValue());
                if (member != null && ("join".equals(member.membership()) || "invite".equals(member.membership()))) {
                    members.add(member);
                }
            }
        }
        members.sort(Comparator.comparingLong(Pdu::originServerTs));
        List<Pdu> others = members.stream().filter(m -> !userId.equals(m.stateKey())).toList();
        if (others.isEmpty()) {
            if (members.size() != 1) {
                return ALL_ALONE;
            }
            if (!members.getFirst().sender().equals(userId)) {
                return nameOf(members.getFirst());
            }
            return thirdPartyInvites ? "Inviting email address" : ALL_ALONE;
        }
        return switch (others.size()) {
            case 1 -> null; // a direct chat: the sender's name says it all
            case 2 -> nameOf(others.get(0)) + " and " + nameOf(others.get(1));
            default -> nameOf(others.getFirst()) + " and " + (others.size() - 1) + " others";
        };
    }

    /** For an invite to a room this server is not in: what the invite's stripped state tells. */
    private static Names fromInviteState(Pdu event) {
        String sender = null;
        if (event.stateKey() != null && event.stateKey().equals(event.sender())) {
            sender = text(event, "displayname");
        }
        String roomName = null;
        JsonNode stripped = event.json().path("unsigned").path("invite_room_state");
        for (JsonNode s : stripped) {
            String type = s.path("type").asText();
            JsonNode content = s.path("content");
            if (type.equals(StateKey.MEMBER) && event.sender().equals(s.path("state_key").asText())
                    && content.path("displayname").isTextual() && !content.path("displayname").asText().isEmpty()) {
                sender = content.path("displayname").asText();
            } else if (type.equals("m.room.name") && content.path("name").isTextual()
                    && !content.path("name").asText().isEmpty()) {
                roomName = content.path("name").asText();
            }
        }
        return new Names(sender, roomName);
    }

    private Pdu stateEvent(Map<StateKey, String> state, StateKey key) {
        String eventId = state.get(key);
        return eventId == null ? null : events.get(eventId);
    }

    /** A member's display name, else their user id. */
    private static String nameOf(Pdu member) {
        String name = text(member, "displayname");
        return name != null && !name.isEmpty() ? name : member.stateKey();
    }

    private static String text(Pdu event, String key) {
        JsonNode value = event == null ? null : event.content().get(key);
        return value != null && value.isTextual() ? value.textValue() : null;
    }
}
