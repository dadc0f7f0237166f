package org.myelin.server.client.rooms;

import java.util.Optional;

/**
 * Asking another server of a room for the event closest to a time (server-server API,
 * {@code GET /_matrix/federation/v1/timestamp_to_event/{roomId}}), and fetching that event into
 * the room's history here, so that a client can go on with {@code /context}. Declared here,
 * implemented by federation; until it is plugged in ({@link ClientRooms#useRemoteTimestamps})
 * only local events are found.
 */
public interface RemoteTimestamps {

    /**
     * The event {@code server} finds closest to {@code ts} in {@code roomId} (at or before it when
     * {@code backwards}), with its own {@code origin_server_ts}, once it is in the room's timeline
     * here; empty when the server has none, fails, or the event cannot be fetched and placed.
     */
    Optional<RoomTimeline.Closest> closest(String server, String roomId, long ts, boolean backwards);

    /** No federation: no other server is asked. */
    RemoteTimestamps NONE = (server, roomId, ts, backwards) -> Optional.empty();
}
