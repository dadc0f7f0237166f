package org.myelin.server.client.keys;

import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.storage.rooms.MembershipRepository;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Announces a change of a user's device list (a device deleted, new device keys, new
 * cross-signing keys or signatures): the transaction that stores it takes a position on the
 * device list stream, and the change is announced on the user and the rooms they are joined to,
 * so every /sync that shares a room with them wakes and looks.
 */
final class DeviceListUpdates {

    private final Streams streams;
    private final MembershipRepository memberships;
    private final java.util.function.Consumer<String> committed;

    /** @param committed told of each user whose change was committed (other servers hear of it) */
    DeviceListUpdates(Streams streams, MembershipRepository memberships, java.util.function.Consumer<String> committed) {
        this.streams = streams;
        this.memberships = memberships;
        this.committed = committed;
    }

    /** Runs {@code commit} (which returns the position it took, or empty) and announces the change of {@code userId}. */
    OptionalLong announce(String userId, Supplier<OptionalLong> commit) {
        List<String> keys = new ArrayList<>();
        keys.add(userId);
        memberships.roomsOf(userId, "join").forEach(m -> keys.add(m.roomId()));
        OptionalLong position = streams.write(StreamId.DEVICE_LISTS, keys, commit);
        if (position.isPresent()) {
            committed.accept(userId);
        }
        return position;
    }
}
