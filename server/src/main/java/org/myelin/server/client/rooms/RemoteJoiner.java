package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.http.MatrixException;

import java.util.List;

/**
 * Joining and leaving rooms this server has no current copy of, through other servers
 * (server-server API, "Joining Rooms": {@code make_join}/{@code send_join}, and "Leaving Rooms
 * (Rejecting Invites)": {@code make_leave}/{@code send_leave}). Declared here, implemented by
 * federation; until it is plugged in ({@link ClientRooms#useRemoteJoiner}) such joins fail.
 */
public interface RemoteJoiner {

    /**
     * Joins {@code userId} to {@code roomId} through one of {@code via} (servers in the room);
     * returns the join event's id once the room's state is stored and the join committed.
     *
     * @param content the member event content: {@code membership: join} and the profile fields
     * @throws MatrixException M_NOT_FOUND if no server knows the room, M_FORBIDDEN if refused
     */
    String join(String roomId, String userId, List<String> via, ObjectNode content);

    /**
     * Leaves {@code roomId}, which this server knows only from an invite (rejecting it);
     * returns the leave event's id.
     */
    String leave(String roomId, String userId, ObjectNode content);

    /** No federation: a room this server is not in cannot be joined. */
    RemoteJoiner UNAVAILABLE = new RemoteJoiner() {
        @Override
        public String join(String roomId, String userId, List<String> via, ObjectNode content) {
            throw MatrixException.notFound("No known servers can join room " + roomId);
        }

        @Override
        public String leave(String roomId, String userId, ObjectNode content) {
            throw MatrixException.notFound("Cannot reach the servers of room " + roomId);
        }
    };
}
