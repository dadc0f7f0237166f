package org.myelin.server.client.sync.sliding;

import java.util.List;
import java.util.Map;

/**
 * A sliding sync request (MSC4186, {@code POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync}),
 * its body parsed and checked by {@link SlidingSyncRequests}.
 *
 * @param connId            the connection within the device (null: the device's default one)
 * @param lists             the sliding windows by name
 * @param roomSubscriptions rooms asked for by id
 */
public record SlidingSyncRequest(String connId, Map<String, ListRequest> lists,
                                 Map<String, RoomParams> roomSubscriptions, ExtensionsRequest extensions) {

    /** Unmodifiable in their order: one request may be shared by the requests with the same body. */
    public SlidingSyncRequest {
        lists = java.util.Collections.unmodifiableMap(lists);
        roomSubscriptions = java.util.Collections.unmodifiableMap(roomSubscriptions);
    }

    /**
     * A list: which of the user's rooms (its filters), which part of them in order of their bump
     * stamps (its ranges, inclusive; none: only the count), and what to send of each.
     */
    public record ListRequest(List<Range> ranges, RoomParams params, ListFilters filters) {
    }

    /** An inclusive range of positions in a list. */
    public record Range(long start, long end) {
        public List<Long> wire() {
            return List.of(start, end);
        }
    }

    /**
     * A list's filters; each absent one does not restrict, present ones all apply.
     *
     * @param roomTypes    create event types to keep (a null element: rooms without one)
     * @param notRoomTypes create event types to leave out; wins over {@code roomTypes}
     * @param spaces       spaces whose {@code m.space.child} rooms to keep
     */
    public record ListFilters(Boolean isDm, Boolean isEncrypted, Boolean isInvite, List<String> roomTypes,
                              List<String> notRoomTypes, List<String> spaces) {
        public static final ListFilters NONE = new ListFilters(null, null, null, null, null, null);
    }

    /** The extensions asked for; null when absent or not enabled. */
    public record ExtensionsRequest(ToDevice toDevice, boolean e2ee, RoomScoped accountData, RoomScoped receipts,
                                    RoomScoped typing) {
        public static final ExtensionsRequest NONE = new ExtensionsRequest(null, false, null, null, null);
    }

    /**
     * The {@code to_device} extension (MSC3885).
     *
     * @param since the {@code next_batch} of the previous answer; null for none
     */
    public record ToDevice(int limit, Long since) {
    }

    /**
     * An extension about rooms ({@code account_data}, {@code receipts}, {@code typing}): the lists
     * and subscribed rooms it covers, {@code *} for all.
     */
    public record RoomScoped(List<String> lists, List<String> rooms) {
    }
}
