package org.myelin.server.client.spaces;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.AuthRuleSet;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.RoomDirectoryRepository;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rooms this server is in, summarised from their current state, and who may see them
 * (client-server API, "Spaces": which rooms {@code /hierarchy} returns; Synapse's
 * {@code _is_local_room_accessible}). A room is seen by anyone when its join rule is
 * {@code public}, or {@code knock} / {@code knock_restricted} where its version has them, or its
 * history is {@code world_readable}; beyond that, by a user joined or invited to it, or joined to
 * a room its {@code restricted} join rule allows; by a server with a user joined or invited, or
 * joined to an allowed room.
 */
public final class LocalSummaries {

    private final RoomHeads heads;
    private final EventCache events;
    private final MembershipRepository memberships;
    private final RoomDirectoryRepository directory;
    private final LocalServer local;

    public LocalSummaries(RoomHeads heads, EventCache events, MembershipRepository memberships,
                          RoomDirectoryRepository directory, LocalServer local) {
        this.heads = heads;
        this.events = events;
        this.memberships = memberships;
        this.directory = directory;
        this.local = local;
    }

    /** Whether one of our users is joined to the room: only then is its state here current. */
    public boolean isJoinedHere(String roomId) {
        return memberships.joinedServers(roomId).contains(local.serverName());
    }

    /** The room's summary from its current state; empty for a room this server does not know. */
    public Optional<RoomSummary> summary(String roomId) {
        Optional<RoomHead> head = heads.get(roomId);
        if (head.isEmpty()) {
            return Optional.empty();
        }
        Map<StateKey, String> state = head.get().currentState();
        String joinRule = text(state, StateKey.JOIN_RULES, "join_rule");
        return Optional.of(new RoomSummary(roomId, text(state, "m.room.name", "name"),
                text(state, "m.room.topic", "topic"), text(state, "m.room.canonical_alias", "alias"),
                directory.joinedCounts(List.of(roomId)).getOrDefault(roomId, 0), text(state, "m.room.avatar", "url"),
                joinRule, "world_readable".equals(text(state, "m.room.history_visibility", "history_visibility")),
                "can_join".equals(text(state, "m.room.guest_access", "guest_access")),
                text(state, StateKey.CREATE, "type"), head.get().version().id(),
                text(state, "m.room.encryption", "algorithm"),
                restricted(head.get(), joinRule) ? allowedRooms(state) : null, null));
    }

    /**
     * The space's children in the spec's order (only {@code suggested} ones if asked), at most
     * {@code max}; none for a room that is no space.
     */
    public List<SpaceChild> children(String roomId, boolean suggestedOnly, int max) {
        Optional<RoomHead> head = heads.get(roomId);
        if (head.isEmpty()) {
            return List.of();
        }
        List<SpaceChild> children = new ArrayList<>();
        head.get().currentState().forEach((key, eventId) -> {
            if (key.type().equals(SpaceChild.TYPE)) {
                Pdu event = events.get(eventId);
                if (event != null) {
                    SpaceChild.of(event).filter(c -> !suggestedOnly || c.suggested()).ifPresent(children::add);
                }
            }
        });
        children.sort(SpaceChild.ORDER);
        return List.copyOf(children.subList(0, Math.min(max, children.size())));
    }

    /**
     * Whether {@code userId} (null: an unauthenticated requester) may see the room. A room this
     * server does not know is seen only by a user invited to it.
     */
    public boolean visibleTo(String roomId, String userId) {
        Optional<String> membership = userId == null ? Optional.empty()
                : memberships.of(roomId, userId).map(MembershipRepository.Membership::membership);
        Optional<RoomHead> head = heads.get(roomId);
        if (head.isEmpty()) {
            return membership.filter("invite"::equals).isPresent();
        }
        if (seenByAnyone(head.get())) {
            return true;
        }
        if (membership.filter(m -> m.equals("join") || m.equals("invite")).isPresent()) {
            return true;
        }
        Map<StateKey, String> state = head.get().currentState();
        return userId != null && restricted(head.get(), text(state, StateKey.JOIN_RULES, "join_rule"))
                && allowedRooms(state).stream().anyMatch(allowed -> memberships.of(allowed, userId)
                        .map(m -> m.membership().equals("join")).orElse(false));
    }

    /** Whether {@code server} may see the room for its users (server-server API, {@code /hierarchy}). */
    public boolean visibleToServer(String roomId, String server) {
        Optional<RoomHead> head = heads.get(roomId);
        if (head.isEmpty()) {
            return false;
        }
        if (seenByAnyone(head.get()) || memberships.joinedServers(roomId).contains(server)
                || memberships.members(roomId, "invite").stream()
                        .anyMatch(m -> Pdu.domainOf(m.userId()).equals(server))) {
            return true;
        }
        Map<StateKey, String> state = head.get().currentState();
        return restricted(head.get(), text(state, StateKey.JOIN_RULES, "join_rule"))
                && allowedRooms(state).stream().anyMatch(allowed -> memberships.joinedServers(allowed).contains(server));
    }

    /**
     * Whether the requester may see a room another server described (Synapse's
     * {@code _is_remote_room_accessible}): public or knockable (its version unknown, a
     * {@code knock} rule is taken as valid), world readable, or the requester is in a room its join
     * rule allows, or may see it as far as this server knows (an invite).
     */
    public boolean describedRoomVisibleTo(RoomSummary room, String userId) {
        String joinRule = room.joinRule() == null ? "public" : room.joinRule();
        if (Set.of("public", "knock", "knock_restricted").contains(joinRule) || room.worldReadable()) {
            return true;
        }
        if (userId == null) {
            return false;
        }
        if (room.allowedRoomIds() != null && room.allowedRoomIds().stream().anyMatch(allowed ->
                memberships.of(allowed, userId).map(m -> m.membership().equals("join")).orElse(false))) {
            return true;
        }
        return visibleTo(room.roomId(), userId);
    }

    /** Public, knockable or world-readable: seen by anyone. */
    private boolean seenByAnyone(RoomHead head) {
        Map<StateKey, String> state = head.currentState();
        String joinRule = text(state, StateKey.JOIN_RULES, "join_rule");
        AuthRuleSet rules = head.version().auth();
        return "public".equals(joinRule) || "knock".equals(joinRule) && rules.knocking()
                || "knock_restricted".equals(joinRule) && rules.knockRestrictedJoins()
                || "world_readable".equals(text(state, "m.room.history_visibility", "history_visibility"));
    }

    /** Whether the join rule lets users in through membership of other rooms, in this room's version. */
    private static boolean restricted(RoomHead head, String joinRule) {
        AuthRuleSet rules = head.version().auth();
        return "restricted".equals(joinRule) && rules.restrictedJoins()
                || "knock_restricted".equals(joinRule) && rules.knockRestrictedJoins();
    }

    /** The rooms of the join rule's {@code allow} list ({@code m.room_membership} entries). */
    private List<String> allowedRooms(Map<StateKey, String> state) {
        Pdu joinRules = event(state, StateKey.JOIN_RULES);
        List<String> rooms = new ArrayList<>();
        if (joinRules != null) {
            for (JsonNode condition : joinRules.content().path("allow")) {
                if ("m.room_membership".equals(condition.path("type").asText())
                        && condition.path("room_id").isTextual()) {
                    rooms.add(condition.get("room_id").textValue());
                }
            }
        }
        return List.copyOf(rooms);
    }

    private Pdu event(Map<StateKey, String> state, String type) {
        String id = state.get(StateKey.of(type, ""));
        return id == null ? null : events.get(id);
    }

    private String text(Map<StateKey, String> state, String type, String key) {
        Pdu event = event(state, type);
        JsonNode value = event == null ? null : event.content().get(key);
        return value != null && value.isTextual() ? value.textValue() : null;
    }
}
