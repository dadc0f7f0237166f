package org.myelin.server.client.sync;

import org.myelin.server.client.sync.SyncResponse.DeviceLists;
import org.myelin.server.streams.StreamChangeCache;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.SyncToken;
import org.myelin.storage.keys.MembershipChanges;
import org.myelin.storage.keys.MembershipChanges.MemberChange;
import org.myelin.storage.streams.DeviceListRepository;
import org.myelin.storage.sync.MembershipHistory.MembershipEvent;
import org.myelin.storage.sync.RoomSyncQueries;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whose device lists a user must look at again between two sync tokens (client-server API,
 * "Tracking the device list for a user"): {@code changed} are the users sharing a room with them
 * whose devices, device keys or cross-signing keys changed, and those who newly share a room with
 * them; {@code left} those who shared a room with them and share none any more. /sync's
 * {@code device_lists} and {@code GET /keys/changes} both answer with it.
 *
 * <p>Neither stream is read when it did not move for the user: the device list stream is announced
 * on the changed user and their rooms, and {@link #memberRooms} remembers the rooms whose
 * membership changed on the timeline, so a message in one of the user's rooms costs no query here.
 */
public final class DeviceListChanges {

    /** Parts it reads. */
    record Parts(DeviceListRepository deviceLists, MembershipChanges members, RoomSyncQueries queries,
                 UserMemberships memberships, StreamChangeCache deviceListChanges, StreamChangeCache memberRooms) {
    }

    private final Parts parts;

    DeviceListChanges(Parts parts) {
        this.parts = parts;
    }

    /** The device list changes {@code userId} must learn of between {@code since} and {@code now}. */
    public DeviceLists between(String userId, SyncToken since, SyncToken now) {
        long deviceAfter = since.position(StreamId.DEVICE_LISTS);
        long deviceNow = now.position(StreamId.DEVICE_LISTS);
        long timelineAfter = since.timeline();
        long timelineNow = now.timeline();
        // No device list moved and no room's membership changed since the token (the usual woken
        // sync: a message): nothing to look at room by room.
        boolean devicesMoved = deviceNow > deviceAfter && !parts.deviceListChanges().nothingChangedSince(deviceAfter);
        boolean membersMoved = timelineNow > timelineAfter && (!parts.memberRooms().nothingChangedSince(timelineAfter)
                || !parts.memberships().unchangedSince(userId, timelineAfter));
        if (!devicesMoved && !membersMoved) {
            return DeviceLists.NONE;
        }
        Set<String> joinedNow = new HashSet<>();
        for (Map.Entry<String, MembershipEvent> e : parts.memberships().latestPerRoom(userId, timelineNow).entrySet()) {
            if (e.getValue().membership().equals("join")) {
                joinedNow.add(e.getKey());
            }
        }
        Set<String> changed = new TreeSet<>();
        if (deviceNow > deviceAfter) {
            changed.addAll(changedDevices(userId, joinedNow, deviceAfter, deviceNow));
        }
        Set<String> mayHaveLeft = new HashSet<>();
        if (timelineNow > timelineAfter) {
            membershipChanges(userId, joinedNow, timelineAfter, timelineNow, changed, mayHaveLeft);
        }
        mayHaveLeft.remove(userId);
        mayHaveLeft.removeAll(parts.queries().sharingARoomWith(userId, mayHaveLeft));
        changed.removeAll(mayHaveLeft);
        if (changed.isEmpty() && mayHaveLeft.isEmpty()) {
            return DeviceLists.NONE;
        }
        return new DeviceLists(new ArrayList<>(changed), new ArrayList<>(new TreeSet<>(mayHaveLeft)));
    }

    /** Users sharing a room with the user (the user included) whose device lists moved in the range. */
    private Set<String> changedDevices(String userId, Set<String> joinedNow, long after, long upTo) {
        List<String> keys = new ArrayList<>(joinedNow);
        keys.add(userId);
        Optional<Set<String>> moved = parts.deviceListChanges().changedSince(keys, after);
        if (moved.isPresent() && moved.get().isEmpty()) {
            return Set.of();
        }
        Set<String> users = parts.deviceLists().changedBetween(after, upTo);
        return users.isEmpty() ? Set.of() : parts.queries().sharingARoomWith(userId, users);
    }

    /**
     * Adds to {@code changed} those who newly share a room with the user (they joined one of its
     * rooms, or it joined theirs) and to {@code mayHaveLeft} those who stopped sharing one.
     */
    private void membershipChanges(String userId, Set<String> joinedNow, long after, long upTo, Set<String> changed,
                                   Set<String> mayHaveLeft) {
        Set<String> rooms = new HashSet<>(joinedNow);
        for (MembershipEvent own : parts.memberships().between(userId, after, upTo)) {
            rooms.add(own.roomId());
        }
        Set<String> withChanges = parts.memberRooms().changedSince(rooms, after).orElse(rooms);
        if (withChanges.isEmpty()) {
            return;
        }
        Set<String> roomsJoined = new HashSet<>();
        Set<String> roomsLeft = new HashSet<>();
        for (MemberChange change : parts.members().between(withChanges, after, upTo)) {
            if (change.userId().equals(userId)) {
                (change.joined() ? roomsJoined : roomsLeft).add(change.roomId());
            } else if (change.joined() && joinedNow.contains(change.roomId())) {
                changed.add(change.userId());
            } else if (change.left()) {
                mayHaveLeft.add(change.userId());
            }
        }
        if (!roomsJoined.isEmpty()) {
            Set<String> members = parts.members().joinedMembers(roomsJoined);
            members.remove(userId);
            changed.addAll(members);
        }
        if (!roomsLeft.isEmpty()) {
            mayHaveLeft.addAll(parts.members().joinedMembers(roomsLeft));
        }
    }
}
