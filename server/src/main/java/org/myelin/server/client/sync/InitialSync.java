package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.client.rooms.ClientEvents;
import org.myelin.server.client.rooms.RoomAccess;
import org.myelin.server.client.rooms.RoomTimeline;
import org.myelin.server.client.sync.filter.EventFilter;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.server.streams.SyncToken;
import org.myelin.storage.accountdata.AccountDataRepository;
import org.myelin.storage.rooms.MembershipRepository;
import org.myelin.storage.rooms.RoomDirectoryRepository;
import org.myelin.storage.sync.MembershipHistory.MembershipEvent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The deprecated snapshots of {@code GET /_matrix/client/v3/initialSync} and
 * {@code GET /_matrix/client/v3/rooms/{roomId}/initialSync} (client-server API, "Syncing" and
 * "Room Previews"), made as Synapse makes them: each room with the user's membership, its latest
 * events ({@code messages}, with tokens for {@code /messages}), its state (current, or as of the
 * user's departure), the user's account data of the room; beside them presence, receipts, the
 * user's global account data and a token ({@code end}) for {@code /events} to go on from. Events
 * are read from the timeline as {@code /messages} reads them, under the same history visibility.
 */
public final class InitialSync {

    /** Events per room when the request does not say (Synapse's). */
    public static final int DEFAULT_LIMIT = 10;

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** A room's latest events: {@code chunk} oldest first, {@code start} to page back from, {@code end}. */
    public record Messages(List<ObjectNode> chunk, String start, String end) {
    }

    /**
     * One room of a snapshot (the spec's {@code RoomInfo}). Absent fields are left out: an
     * invite has {@code inviter} and {@code invite} and no events; a peeked room has no
     * {@code membership}; only {@code /rooms/{roomId}/initialSync} has {@code presence} and
     * {@code receipts}, only {@code /initialSync} has {@code visibility}.
     */
    public record RoomInfo(String roomId, String membership, String visibility, String inviter, ObjectNode invite,
                           Messages messages, List<ObjectNode> state, List<ObjectNode> presence,
                           List<ObjectNode> receipts, List<ObjectNode> accountData) {
    }

    /** The body of {@code /initialSync}. */
    public record Snapshot(List<RoomInfo> rooms, List<ObjectNode> presence, List<ObjectNode> accountData,
                           List<ObjectNode> receipts, String end) {
    }

    /** What snapshots are made from. */
    record Parts(Streams streams, UserMemberships memberships, RoomAccess access, RoomTimeline timeline,
                 EventCache events, ClientEvents format, Ephemerals ephemerals, SyncPresence presence,
                 AccountDataRepository accountData, RoomDirectoryRepository directory) {
    }

    /** The user's account data: the global entries, and each room's. */
    private record AccountData(List<ObjectNode> global, Map<String, List<ObjectNode>> byRoom) {
        List<ObjectNode> of(String roomId) {
            return byRoom.getOrDefault(roomId, List.of());
        }
    }

    private final Parts parts;

    InitialSync(Parts parts) {
        this.parts = parts;
    }

    /**
     * {@code /initialSync}: the rooms the user is joined or invited to (and has left, when
     * {@code archived}), up to {@code limit} events each.
     */
    public Snapshot all(Requester requester, int limit, boolean archived) {
        String userId = requester.userId();
        SyncToken now = parts.streams().current();
        Set<String> publicRooms = new HashSet<>(parts.directory().publicRooms());
        AccountData accountData = accountData(userId, now);
        List<RoomInfo> rooms = new ArrayList<>();
        List<String> joined = new ArrayList<>();
        for (MembershipEvent m : parts.memberships().latestPerRoom(userId, now.timeline()).values()) {
            String visibility = publicRooms.contains(m.roomId()) ? RoomDirectoryRepository.PUBLIC
                    : RoomDirectoryRepository.PRIVATE;
            switch (m.membership()) {
                case "invite" -> {
                    Pdu invite = parts.events().get(m.eventId());
                    rooms.add(new RoomInfo(m.roomId(), "invite", visibility, m.sender(),
                            invite == null ? null : parts.format().format(invite, userId, null),
                            null, null, null, null, null));
                }
                case "join" -> {
                    joined.add(m.roomId());
                    rooms.add(new RoomInfo(m.roomId(), "join", visibility, null, null,
                            messages(requester, m.roomId(), now, now.timeline(), limit),
                            state(parts.access().head(m.roomId()).currentState(), userId), null, null,
                            accountData.of(m.roomId())));
                }
                case "leave" -> {
                    if (archived) {
                        rooms.add(new RoomInfo(m.roomId(), "leave", visibility, null, null,
                                messages(requester, m.roomId(), now, m.streamOrdering(), limit),
                                state(parts.access().stateAfter(m.roomId(), m.eventId()).orElse(Map.of()), userId),
                                null, null, accountData.of(m.roomId())));
                    }
                }
                default -> {
                }
            }
        }
        List<ObjectNode> presence = parts.presence().changes(userId, 0, now.position(StreamId.PRESENCE),
                EventFilter.ALL);
        return new Snapshot(rooms, presence, accountData.global(),
                receipts(userId, joined, now), now.toString());
    }

    /**
     * {@code /rooms/{roomId}/initialSync}: the room as a member sees it now, as a departed member
     * saw it when leaving, or, for anyone else, as a {@code world_readable} room is seen by
     * peeking (403 otherwise; 404 for a room unknown here).
     */
    public RoomInfo room(Requester requester, String roomId, int limit) {
        String userId = requester.userId();
        Map<StateKey, String> state = parts.access().readableState(roomId, userId);
        SyncToken now = parts.streams().current();
        List<ObjectNode> accountData = accountData(userId, now).of(roomId);
        Optional<MembershipRepository.Membership> own = parts.access().membership(roomId, userId);
        String membership = own.map(MembershipRepository.Membership::membership).orElse(null);
        boolean departed = "leave".equals(membership) || "ban".equals(membership);
        if (departed) {
            long leftAt = own.get().streamOrdering() != null ? own.get().streamOrdering() : now.timeline();
            return new RoomInfo(roomId, membership, null, null, null,
                    messages(requester, roomId, now, leftAt, limit), state(state, userId), List.of(), List.of(),
                    accountData);
        }
        boolean peeking = !"join".equals(membership);
        return new RoomInfo(roomId, peeking ? null : membership, null, null, null,
                messages(requester, roomId, now, now.timeline(), limit), state(state, userId),
                parts.presence().current(joinedMembers(state)), receipts(userId, List.of(roomId), now), accountData);
    }

    private Messages messages(Requester requester, String roomId, SyncToken now, long upTo, int limit) {
        RoomTimeline.Latest latest = parts.timeline().latest(requester, roomId, upTo, limit);
        return new Messages(latest.chunk(), now.with(StreamId.TIMELINE, latest.startPosition()).toString(),
                now.with(StreamId.TIMELINE, upTo).toString());
    }

    private List<ObjectNode> state(Map<StateKey, String> state, String userId) {
        List<Pdu> events = new ArrayList<>(state.size());
        for (String id : state.values()) {
            Pdu event = parts.events().get(id);
            if (event != null) {
                events.add(event);
            }
        }
        return parts.format().format(events, userId, null);
    }

    private Set<String> joinedMembers(Map<StateKey, String> state) {
        Set<String> joined = new HashSet<>();
        state.forEach((key, id) -> {
            if (key.type().equals(StateKey.MEMBER)) {
                Pdu member = parts.events().get(id);
                if (member != null && "join".equals(member.membership())) {
                    joined.add(key.stateKey());
                }
            }
        });
        return joined;
    }

    /** One {@code m.receipt} event per room, with its {@code room_id}. */
    private List<ObjectNode> receipts(String userId, List<String> roomIds, SyncToken now) {
        List<ObjectNode> events = new ArrayList<>();
        parts.ephemerals().receipts(userId, roomIds, 0, now.position(StreamId.RECEIPTS))
                .forEach((roomId, event) -> events.add(event.put("room_id", roomId)));
        return events;
    }

    private AccountData accountData(String userId, SyncToken now) {
        List<ObjectNode> global = new ArrayList<>();
        Map<String, List<ObjectNode>> byRoom = new HashMap<>();
        for (AccountDataRepository.Entry e : parts.accountData().changed(userId, 0,
                now.position(StreamId.ACCOUNT_DATA))) {
            ObjectNode event = JSON.objectNode().put("type", e.type());
            event.set("content", Sync.readObject(e.content()));
            if (e.roomId() == null) {
                global.add(event);
            } else {
                byRoom.computeIfAbsent(e.roomId(), r -> new ArrayList<>()).add(event);
            }
        }
        return new AccountData(global, byRoom);
    }
}
