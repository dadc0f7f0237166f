package org.myelin.server.client.sync.sliding;

import org.myelin.server.client.rooms.IgnoredSenders;
import org.myelin.server.client.sync.UserMemberships;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.ListRequest;
import org.myelin.server.client.sync.sliding.SlidingSyncRequest.Range;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.ListOp;
import org.myelin.server.client.sync.sliding.SlidingSyncResponse.SlidingList;
import org.myelin.server.streams.StreamChangeCache;
import org.myelin.server.streams.SyncToken;
import org.myelin.storage.sync.MembershipHistory.MembershipEvent;
import org.myelin.storage.sync.RoomSyncQueries;
import org.myelin.storage.sync.SlidingSyncQueries.RoomTraits;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which rooms a sliding sync request is about (Synapse's {@code compute_interested_rooms}): the
 * user's rooms as of the request's end, each list's rooms passing its filters ordered by bump
 * stamp, newest first, and cut to its ranges; the subscribed rooms the user may see; and of
 * those, the rooms this response must look at. A room is listed while the user is joined,
 * invited, knocking or banned, and once kicked; a room the user left is listed only in the
 * response that brings the leave. An invite from a user the user ignores is not listed
 * (client-server API, "Ignoring Users"), as /sync does not send it.
 */
final class RoomLists {

    /** The rooms a request is about. */
    record Interested(Map<String, SlidingList> lists, Map<String, List<String>> listRooms,
                      Map<String, RoomParams> relevant, Map<String, RoomParams> toSend, Set<String> allRooms,
                      Map<String, MembershipEvent> memberships, Set<String> newlyJoined, Set<String> newlyLeft,
                      Set<String> directRooms, Map<String, RoomTraits> traits) {
    }

    private final UserMemberships memberships;
    private final RoomTraitsCache traits;
    private final DirectRooms directRooms;
    private final RoomListFilters filters;
    private final StreamChangeCache timelineChanges;
    private final RoomSyncQueries queries;
    private final IgnoredSenders ignored;

    /** What lists are made from. */
    record Parts(UserMemberships memberships, RoomTraitsCache traits, DirectRooms directRooms, RoomListFilters filters,
                 StreamChangeCache timelineChanges, RoomSyncQueries queries, IgnoredSenders ignored) {
    }

    RoomLists(Parts parts) {
        this.memberships = parts.memberships();
        this.traits = parts.traits();
        this.directRooms = parts.directRooms();
        this.filters = parts.filters();
        this.timelineChanges = parts.timelineChanges();
        this.queries = parts.queries();
        this.ignored = parts.ignored();
    }

    /** The rooms of {@code request} for {@code userId} between {@code from} (null: none) and {@code to}. */
    Interested compute(String userId, SlidingSyncRequest request, ConnectionState previous, SyncToken from,
                       SyncToken to) {
        long upTo = to.timeline();
        Map<String, MembershipEvent> atTo = memberships.latestPerRoom(userId, upTo);
        Set<String> newlyJoined = new HashSet<>();
        Set<String> newlyLeft = new HashSet<>();
        Set<String> membershipChanged = new HashSet<>();
        if (from != null) {
            membershipChanges(userId, from.timeline(), upTo, atTo, new Changes(newlyJoined, newlyLeft, membershipChanged));
        }
        Map<String, MembershipEvent> listed = new HashMap<>();
        Set<String> ignoredSenders = ignored.ignoredBy(userId);
        atTo.forEach((roomId, m) -> {
            if (listable(userId, m, newlyLeft.contains(roomId))
                    && !(m.membership().equals("invite") && ignoredSenders.contains(m.sender()))) {
                listed.put(roomId, m);
            }
        });
        Set<String> direct = directRooms.of(userId);
        Map<String, RoomTraits> roomTraits = request.lists().isEmpty() && request.roomSubscriptions().isEmpty()
                ? Map.of() : traits.of(listed.keySet());
        RoomListFilters.Context context = new RoomListFilters.Context(listed, roomTraits, direct);

        Map<String, SlidingList> lists = new LinkedHashMap<>();
        Map<String, List<String>> listRooms = new LinkedHashMap<>();
        Map<String, RoomParams> relevant = new LinkedHashMap<>();
        Set<String> all = new HashSet<>();
        Map<String, Long> order = new HashMap<>();
        for (Map.Entry<String, ListRequest> e : request.lists().entrySet()) {
            ListRequest list = e.getValue();
            Set<String> rooms = filters.apply(list.filters(), listed.keySet(), context);
            all.addAll(rooms);
            List<ListOp> ops = new ArrayList<>();
            List<String> inRanges = new ArrayList<>();
            if (list.ranges() != null && !list.ranges().isEmpty()) {
                List<String> sorted = sort(rooms, listed, roomTraits, upTo, order);
                for (Range range : list.ranges()) {
                    List<String> ids = new ArrayList<>();
                    for (long i = range.start(); i <= range.end() && i < sorted.size(); i++) {
                        String roomId = sorted.get((int) i);
                        ids.add(roomId);
                        relevant.merge(roomId, list.params(), RoomParams::combine);
                    }
                    inRanges.addAll(ids);
                    ops.add(new ListOp("SYNC", range.wire(), ids));
                }
            }
            lists.put(e.getKey(), new SlidingList(rooms.size(), ops));
            listRooms.put(e.getKey(), inRanges);
        }
        Map<String, MembershipEvent> known = new HashMap<>(listed);
        request.roomSubscriptions().forEach((roomId, params) -> {
            MembershipEvent m = listed.get(roomId);
            if (m != null) {
                all.add(roomId);
                relevant.merge(roomId, params, RoomParams::combine);
            }
        });
        return new Interested(lists, listRooms, relevant, toSend(previous, from, to, relevant, membershipChanged), all,
                known, newlyJoined, newlyLeft, direct, roomTraits);
    }

    /**
     * Whether a room is listed given the user's membership: anything but a leave, unless the leave
     * was a kick or came in this response's range (Synapse's {@code filter_membership_for_sync}).
     */
    private static boolean listable(String userId, MembershipEvent m, boolean newlyLeft) {
        return !m.membership().equals("leave") || newlyLeft || !userId.equals(m.sender());
    }

    /** Rooms whose membership of the user changed in a range, and how. */
    private record Changes(Set<String> newlyJoined, Set<String> newlyLeft, Set<String> any) {
    }

    /**
     * The rooms the user joined in ({@code after}, {@code upTo}] and is still joined to, and those
     * they left in it and are still out of; a change that leaves the membership as it was (a new
     * display name) is none. Every room with a change goes into {@code any}: an invite rejected
     * or withdrawn out of band is no event of the room's timeline, but the client must hear of it.
     */
    private void membershipChanges(String userId, long after, long upTo, Map<String, MembershipEvent> atTo,
                                   Changes changed) {
        List<MembershipEvent> changes = memberships.between(userId, after, upTo);
        if (changes.isEmpty()) {
            return;
        }
        Map<String, MembershipEvent> atFrom = memberships.latestPerRoom(userId, after);
        Map<String, String> previous = new HashMap<>();
        atFrom.forEach((roomId, m) -> previous.put(roomId, m.membership()));
        for (MembershipEvent change : changes) {
            String before = previous.put(change.roomId(), change.membership());
            if (change.membership().equals(before)) {
                continue;
            }
            changed.any().add(change.roomId());
            MembershipEvent now = atTo.get(change.roomId());
            if (now == null) {
                continue;
            }
            if (change.membership().equals("join") && now.membership().equals("join")) {
                changed.newlyJoined().add(change.roomId());
            } else if (change.membership().equals("leave") && now.membership().equals("leave")) {
                changed.newlyLeft().add(change.roomId());
            }
        }
    }

    /**
     * {@code roomIds} newest first: a joined room by its bump stamp at {@code upTo}, another by the
     * position of the user's membership (they see nothing after it); the room id breaks ties.
     */
    private List<String> sort(Set<String> roomIds, Map<String, MembershipEvent> listed, Map<String, RoomTraits> known,
                              long upTo, Map<String, Long> order) {
        record Stamped(String roomId, long stamp) {
        }
        List<Stamped> stamped = new ArrayList<>(roomIds.size());
        for (String roomId : roomIds) {
            Long stamp = order.get(roomId);
            if (stamp == null) {
                stamp = orderingStamp(listed.get(roomId), known.get(roomId), upTo);
                order.put(roomId, stamp);
            }
            stamped.add(new Stamped(roomId, stamp));
        }
        stamped.sort((a, b) -> a.stamp() != b.stamp() ? Long.compare(b.stamp(), a.stamp())
                : a.roomId().compareTo(b.roomId()));
        List<String> sorted = new ArrayList<>(stamped.size());
        for (Stamped s : stamped) {
            sorted.add(s.roomId());
        }
        return sorted;
    }

    private long orderingStamp(MembershipEvent m, RoomTraits roomTraits, long upTo) {
        long stamp = 0;
        if (m.membership().equals("join") && roomTraits != null) {
            stamp = traits.bumpStampAt(roomTraits, upTo);
        }
        return Math.max(0, stamp > 0 ? stamp : m.streamOrdering());
    }

    /**
     * Those of {@code relevant} this response must look at: all on a fresh connection; otherwise
     * those never sent or behind, those asked for with more than they were sent with, and those
     * with events or a change of the user's membership since {@code from}.
     */
    private Map<String, RoomParams> toSend(ConnectionState previous, SyncToken from, SyncToken to,
                                           Map<String, RoomParams> relevant, Set<String> membershipChanged) {
        if (from == null || relevant.isEmpty()) {
            return relevant;
        }
        Set<String> send = new HashSet<>();
        for (Map.Entry<String, RoomParams> e : relevant.entrySet()) {
            RoomParams sentWith = previous.roomParams().get(e.getKey());
            if ((sentWith != null && !sentWith.combine(e.getValue()).equals(sentWith))
                    || !(previous.rooms().get(e.getKey()) instanceof Sent.Live)) {
                send.add(e.getKey());
            }
        }
        send.addAll(withEventsSince(relevant.keySet(), from.timeline(), to.timeline()));
        send.addAll(membershipChanged);
        Map<String, RoomParams> toSend = new LinkedHashMap<>();
        relevant.forEach((roomId, params) -> {
            if (send.contains(roomId)) {
                toSend.put(roomId, params);
            }
        });
        return toSend;
    }

    /** Those of {@code roomIds} with events in ({@code after}, {@code upTo}]. */
    Set<String> withEventsSince(Set<String> roomIds, long after, long upTo) {
        if (upTo <= after || roomIds.isEmpty()) {
            return Set.of();
        }
        return timelineChanges.changedSince(roomIds, after)
                .orElseGet(() -> queries.roomsWithEventsBetween(roomIds, after, upTo));
    }
}
