package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.rooms.IgnoredSenders;
import org.myelin.server.client.sync.SyncResponse.EventBatch;
import org.myelin.server.client.sync.SyncResponse.InvitedRoom;
import org.myelin.server.client.sync.SyncResponse.JoinedRoom;
import org.myelin.server.client.sync.SyncResponse.KnockedRoom;
import org.myelin.server.client.sync.SyncResponse.LeftRoom;
import org.myelin.server.client.sync.SyncResponse.Rooms;
import org.myelin.server.client.sync.filter.RoomFilter;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.StreamChangeCache;
import org.myelin.storage.sync.MembershipHistory.MembershipEvent;
import org.myelin.storage.sync.RoomSyncQueries;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sorts the user's rooms into the sections of a /sync response by their membership at the end of
 * the pass (the user's latest membership event at or before {@code now}), as Synapse does:
 *
 * <ul>
 *   <li>{@code join}: every joined room on an initial or full-state sync; otherwise those with
 *       something new. A room joined during the range (or left and joined again) comes with its
 *       full state and its latest events, as if it were an initial sync of that room.</li>
 *   <li>{@code invite}, {@code knock}: all of them on an initial sync, otherwise those that
 *       changed in the range; invites from users the user ignores are left out.</li>
 *   <li>{@code leave}: rooms left or banned from during the range, their timeline ending with the
 *       leave; on an initial or full-state sync the rooms left before, only if the filter's
 *       {@code include_leave} asks for them.</li>
 * </ul>
 */
final class RoomSections {

    private final UserMemberships history;
    private final RoomSyncQueries queries;
    private final StreamChangeCache timelineChanges;
    private final RoomBuilder builder;
    private final Ephemerals ephemerals;
    private final StrippedStates stripped;
    private final EventCache events;
    private final IgnoredSenders ignored;

    /** What the sections are made from; invites from users in {@code ignored} are not sent. */
    record Parts(UserMemberships history, RoomSyncQueries queries, RoomBuilder builder, Ephemerals ephemerals,
                 StrippedStates stripped, EventCache events, IgnoredSenders ignored) {
    }

    RoomSections(Parts parts, StreamChangeCache timelineChanges) {
        this.history = parts.history();
        this.queries = parts.queries();
        this.timelineChanges = timelineChanges;
        this.builder = parts.builder();
        this.ephemerals = parts.ephemerals();
        this.stripped = parts.stripped();
        this.events = parts.events();
        this.ignored = parts.ignored();
    }

    Rooms build(SyncPass p) {
        long now = p.now().timeline();
        Map<String, MembershipEvent> atNow = history.latestPerRoom(p.userId(), now);
        // Memberships that did not change since the previous sync were the same then.
        Map<String, MembershipEvent> atSince = p.initial() ? Map.of()
                : history.unchangedSince(p.userId(), p.since().timeline()) ? atNow
                : history.latestPerRoom(p.userId(), p.since().timeline());
        Map<String, List<MembershipEvent>> changed = new HashMap<>();
        if (!p.initial()) {
            for (MembershipEvent e : history.between(p.userId(), p.since().timeline(), now)) {
                changed.computeIfAbsent(e.roomId(), r -> new ArrayList<>()).add(e);
            }
        }
        RoomFilter filter = p.filter().room();
        List<String> joined = atNow.values().stream().filter(m -> m.membership().equals("join"))
                .map(MembershipEvent::roomId).filter(filter::allowsRoom).toList();
        Set<String> active = p.initial() || p.fullState() ? Set.copyOf(joined) : activeRooms(joined, p.since().timeline(), now);
        long typingAfter = p.since() == null || p.since().position(StreamId.TYPING) > p.now().position(StreamId.TYPING)
                ? 0 : p.since().position(StreamId.TYPING);
        Map<String, List<ObjectNode>> ephemeral = ephemerals.of(p, joined, typingAfter);
        builder.prepare(p, active);

        Map<String, JoinedRoom> join = new LinkedHashMap<>();
        Map<String, InvitedRoom> invite = new LinkedHashMap<>();
        Map<String, LeftRoom> leave = new LinkedHashMap<>();
        Map<String, KnockedRoom> knock = new LinkedHashMap<>();
        Set<String> ignoredSenders = ignored.ignoredBy(p.userId());
        for (MembershipEvent m : atNow.values()) {
            String roomId = m.roomId();
            if (!filter.allowsRoom(roomId)) {
                continue;
            }
            List<MembershipEvent> changes = changed.getOrDefault(roomId, List.of());
            boolean changedInRange = !changes.isEmpty();
            switch (m.membership()) {
                case "join" -> {
                    MembershipEvent before = atSince.get(roomId);
                    boolean newlyJoined = changedInRange && (before == null || !before.membership().equals("join")
                            || changes.stream().anyMatch(c -> !c.membership().equals("join")));
                    boolean fresh = p.initial() || newlyJoined;
                    RoomBuilder.Range range = new RoomBuilder.Range(fresh ? null : p.since().timeline(), now,
                            fresh || p.fullState());
                    JoinedRoom room = builder.joined(p, roomId, range, !fresh && !active.contains(roomId),
                            ephemeral.getOrDefault(roomId, List.of()));
                    if (room != null) {
                        join.put(roomId, room);
                    }
                }
                case "invite" -> {
                    if (p.initial() || changedInRange) {
                        Pdu event = events.get(m.eventId());
                        // Invites from ignored users are not sent (client-server API, "Ignoring Users").
                        if (event == null || !ignoredSenders.contains(event.sender())) {
                            invite.put(roomId, new InvitedRoom(new EventBatch(
                                    event == null ? List.of() : stripped.of(event))));
                        }
                    }
                }
                case "knock" -> {
                    if (p.initial() || changedInRange) {
                        knock.put(roomId, new KnockedRoom(new EventBatch(strippedState(m))));
                    }
                }
                case "leave", "ban" -> {
                    LeftRoom room = left(p, m, atSince.get(roomId), changes);
                    if (room != null) {
                        leave.put(roomId, room);
                    }
                }
                default -> {
                }
            }
        }
        return new Rooms(join, invite, leave, knock);
    }

    /**
     * Those of {@code joined} with events in ({@code after}, {@code upTo}]: from the timeline's
     * change cache when it knows (a room whose last event came later still counts: its window
     * will be empty, as the store would have said), else from the store.
     */
    private Set<String> activeRooms(List<String> joined, long after, long upTo) {
        if (upTo <= after) {
            return Set.of();
        }
        return timelineChanges.changedSince(joined, after)
                .orElseGet(() -> queries.roomsWithEventsBetween(joined, after, upTo));
    }

    /** The leave entry of a room, or null when this sync does not report it. */
    private LeftRoom left(SyncPass p, MembershipEvent m, MembershipEvent atSince, List<MembershipEvent> changes) {
        boolean changedInRange = !changes.isEmpty();
        boolean archive = (p.initial() || p.fullState()) && p.filter().room().includesLeave();
        if (!changedInRange && !archive) {
            return null;
        }
        boolean joinedAtSince = atSince != null && atSince.membership().equals("join");
        boolean joinedInRange = changes.stream().anyMatch(c -> c.membership().equals("join"));
        boolean seen = joinedAtSince || joinedInRange
                || (!changedInRange && history.everJoined(p.userId(), m.roomId(), m.streamOrdering()));
        if (!seen) {
            return builder.leftUnseen(p, m.roomId(), m.eventId(), m.streamOrdering());
        }
        boolean fromSince = changedInRange && !p.initial();
        RoomBuilder.Range range = new RoomBuilder.Range(fromSince ? p.since().timeline() : null, m.streamOrdering(),
                !fromSince || !joinedAtSince || p.fullState());
        return builder.left(p, m.roomId(), range);
    }

    private List<ObjectNode> strippedState(MembershipEvent m) {
        Pdu event = events.get(m.eventId());
        return event == null ? List.of() : stripped.of(event);
    }
}
