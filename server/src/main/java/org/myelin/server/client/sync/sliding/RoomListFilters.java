package org.myelin.server.client.sync.sliding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.spaces.LocalSummaries;
import org.myelin.server.client.spaces.SpaceChild;
import org.myelin.server.client.sync.StrippedStates;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.ListFilters;
import org.myelin.storage.sync.MembershipHistory.MembershipEvent;
import org.myelin.storage.sync.SlidingSyncQueries.RoomTraits;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A list's {@code filters} (MSC4186), all of which a room must pass: {@code is_dm} (named in
 * {@code m.direct}), {@code is_encrypted}, {@code is_invite}, {@code room_types} and
 * {@code not_room_types} (the create event's {@code type}, null for none; {@code not_} wins) and
 * {@code spaces} (a child, by {@code m.space.child} with a {@code via}, of one of the given spaces
 * the user is joined to; subspaces are not walked). As Synapse, a room whose encryption or type
 * this server cannot tell is left out by a filter on it; for an invite or a knock they come from
 * its stripped state.
 */
final class RoomListFilters {

    private static final int MAX_SPACE_CHILDREN = 10_000;

    private final StrippedStates stripped;
    private final EventCache events;
    private final LocalSummaries spaces;

    RoomListFilters(StrippedStates stripped, EventCache events, LocalSummaries spaces) {
        this.stripped = stripped;
        this.events = events;
        this.spaces = spaces;
    }

    /** What the filters look at for one user's rooms. */
    record Context(Map<String, MembershipEvent> memberships, Map<String, RoomTraits> traits, Set<String> directRooms) {
    }

    /** Those of {@code roomIds} that pass {@code filters}. */
    Set<String> apply(ListFilters filters, Set<String> roomIds, Context context) {
        Set<String> spaceChildren = filters.spaces() == null ? null : children(filters.spaces(), context);
        Set<String> passing = new HashSet<>();
        for (String roomId : roomIds) {
            if (passes(filters, roomId, context, spaceChildren)) {
                passing.add(roomId);
            }
        }
        return passing;
    }

    private boolean passes(ListFilters f, String roomId, Context context, Set<String> spaceChildren) {
        MembershipEvent membership = context.memberships().get(roomId);
        if (f.isDm() != null && f.isDm() != context.directRooms().contains(roomId)) {
            return false;
        }
        if (f.isInvite() != null && f.isInvite() != membership.membership().equals("invite")) {
            return false;
        }
        if (spaceChildren != null && !spaceChildren.contains(roomId)) {
            return false;
        }
        if (f.isEncrypted() == null && f.roomTypes() == null && f.notRoomTypes() == null) {
            return true;
        }
        Known known = known(roomId, membership, context.traits().get(roomId));
        if (known == null) {
            return false;
        }
        if (f.isEncrypted() != null && f.isEncrypted() != known.encrypted()) {
            return false;
        }
        if (f.roomTypes() != null && !f.roomTypes().contains(known.roomType())) {
            return false;
        }
        return f.notRoomTypes() == null || !f.notRoomTypes().contains(known.roomType());
    }

    private record Known(String roomType, boolean encrypted) {
    }

    /** The room's type and encryption, from its stripped state for an invite or knock; null if unknown. */
    private Known known(String roomId, MembershipEvent membership, RoomTraits traits) {
        if (membership.membership().equals("invite") || membership.membership().equals("knock")) {
            Pdu event = events.get(membership.eventId());
            if (event != null) {
                List<ObjectNode> state = stripped.of(event);
                JsonNode create = find(state, "m.room.create");
                if (create != null) {
                    JsonNode encryption = find(state, "m.room.encryption");
                    return new Known(create.path("content").path("type").textValue(),
                            encryption != null && encryption.path("content").path("algorithm").isTextual());
                }
            }
        }
        return traits == null || !traits.known() ? null : new Known(traits.roomType(), traits.encrypted());
    }

    private static JsonNode find(List<ObjectNode> state, String type) {
        for (ObjectNode e : state) {
            if (e.path("type").asText().equals(type) && e.path("state_key").asText("-").isEmpty()) {
                return e;
            }
        }
        return null;
    }

    /** The children of those of {@code spaceIds} the user is joined to. */
    private Set<String> children(List<String> spaceIds, Context context) {
        Set<String> children = new HashSet<>();
        for (String spaceId : spaceIds) {
            MembershipEvent m = context.memberships().get(spaceId);
            if (m != null && m.membership().equals("join")) {
                for (SpaceChild child : spaces.children(spaceId, false, MAX_SPACE_CHILDREN)) {
                    children.add(child.stateKey());
                }
            }
        }
        return children;
    }
}
