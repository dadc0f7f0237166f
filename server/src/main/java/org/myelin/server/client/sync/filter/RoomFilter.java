package org.myelin.server.client.sync.filter;

import java.util.List;

/**
 * The {@code room} part of a filter (client-server API, "Filtering"; {@code RoomFilter}): which
 * rooms, and per part of a room (timeline, state, ephemeral, account data) which events.
 *
 * @param includeLeave whether an initial or full-state sync lists the rooms the user has left
 */
public record RoomFilter(List<String> rooms, List<String> notRooms, RoomEventFilter timeline, RoomEventFilter state,
                         RoomEventFilter ephemeral, RoomEventFilter accountData, Boolean includeLeave) {

    public static final RoomFilter ALL = new RoomFilter(null, null, null, null, null, null, null);

    public RoomFilter {
        timeline = timeline == null ? RoomEventFilter.ALL : timeline;
        state = state == null ? RoomEventFilter.ALL : state;
        ephemeral = ephemeral == null ? RoomEventFilter.ALL : ephemeral;
        accountData = accountData == null ? RoomEventFilter.ALL : accountData;
    }

    /** Whether the room is included at all (applied before the per-part filters). */
    public boolean allowsRoom(String roomId) {
        return Matching.allows(rooms, notRooms, roomId);
    }

    public boolean includesLeave() {
        return Boolean.TRUE.equals(includeLeave);
    }
}
