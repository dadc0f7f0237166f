package org.myelin.server.admin.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.RoomDirectoryRepository;

/** Reads {@link RoomFacts} from a room's current state (this server's copy of it). */
final class RoomDescriber {

    private final RoomHeads heads;
    private final EventCache events;
    private final MembershipRepository memberships;
    private final RoomDirectoryRepository directory;
    private final LocalServer local;

    RoomDescriber(RoomHeads heads, EventCache events, MembershipRepository memberships,
                  RoomDirectoryRepository directory, LocalServer local) {
        this.heads = heads;
        this.events = events;
        this.memberships = memberships;
        this.directory = directory;
        this.local = local;
    }

    /** The room's facts; empty when this server has no state of it. */
    Optional<RoomFacts> describe(String roomId) {
        Optional<RoomHead> found = heads.get(roomId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        RoomHead head = found.get();
        Map<StateKey, String> state = head.currentState();
        Pdu create = event(state, StateKey.CREATE);
        List<String> joined = memberships.members(roomId, "join").stream().map(MembershipRepository.Membership::userId)
                .sorted().toList();
        List<String> local = joined.stream().filter(this.local::isLocalUser).toList();
        return Optional.of(new RoomFacts(roomId, text(state, "m.room.name", "name"),
                text(state, "m.room.topic", "topic"), text(state, "m.room.avatar", "url"),
                text(state, "m.room.canonical_alias", "alias"), joined, local, head.version().id(),
                create == null ? null : create.sender(), text(state, "m.room.encryption", "algorithm"),
                create == null || create.content().path("m.federate").asBoolean(true),
                RoomDirectoryRepository.PUBLIC.equals(directory.visibility(roomId)),
                text(state, StateKey.JOIN_RULES, "join_rule"), text(state, "m.room.guest_access", "guest_access"),
                text(state, "m.room.history_visibility", "history_visibility"), state.size(),
                create == null ? null : textOf(create.content().get("type")),
                text(state, "m.room.tombstone", "replacement_room")));
    }

    boolean isLocal(String userId) {
        return local.isLocalUser(userId);
    }

    /** The current state's event of {@code type} with an empty state key. */
    Pdu event(Map<StateKey, String> state, String type) {
        String id = state.get(StateKey.of(type, ""));
        return id == null ? null : events.get(id);
    }

    private String text(Map<StateKey, String> state, String type, String key) {
        Pdu event = event(state, type);
        return event == null ? null : textOf(event.content().get(key));
    }

    private static String textOf(JsonNode value) {
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
