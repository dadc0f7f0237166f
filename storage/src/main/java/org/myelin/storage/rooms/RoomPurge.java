package org.myelin.storage.rooms;

import org.myelin.storage.Transactions;
import org.myelin.storage.events.TimelineBounds;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes every trace of a room from the database, in one transaction (Synapse's
 * {@code purge_room}, the last step of {@code DELETE /_synapse/admin/v2/rooms/{roomId}} with
 * {@code purge}): its events and their edges and states, its state snapshots, memberships,
 * aliases, directory entry, receipts, room account data, relations, threads, push actions and
 * everything else keyed by its id, and the PDUs of it still queued for other servers.
 *
 * <p>Two tables keep their rows, on purpose: {@code blocked_rooms} (a block outlives the purge,
 * so that the room cannot come back) and {@code room_key_backup_keys} (the users' own encrypted
 * key backups, which Synapse does not purge either).
 */
public final class RoomPurge {

    /** Tables whose rows hang off the room's events, by event_nid, deleted before the events. */
    private static final List<String> BY_EVENT_NID = List.of("event_state", "event_prev_edges", "event_auth_edges");

    /**
     * Tables keyed by room_id, in an order that satisfies their foreign keys: what refers to
     * {@code rooms} or to the snapshots before them, {@code rooms} last.
     */
    private static final List<String> BY_ROOM_ID = List.of(
            "room_current_state", "user_directory_public_rooms", "forward_extremities", "room_memberships",
            "client_transactions", "room_aliases", "room_directory", "forgotten_rooms", "receipts", "account_data",
            "event_relations", "room_threads", "event_push_actions", "server_notices_rooms");

    private final DataSource dataSource;

    public RoomPurge(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Purges the room; returns the ids of the events that were deleted (for caches to forget). */
    public List<String> purge(String roomId) {
        return Transactions.inTransaction(dataSource, c -> {
            TimelineBounds.keepBeforeDeleting(c);
            List<String> eventIds = eventIds(c, roomId);
            for (String table : BY_EVENT_NID) {
                execute(c, "DELETE FROM " + table + " WHERE event_nid IN "
                        + "(SELECT event_nid FROM events WHERE room_id = ?)", roomId);
            }
            execute(c, "DELETE FROM federation_outbound_pdus WHERE event_id IN "
                    + "(SELECT event_id FROM events WHERE room_id = ?)", roomId);
            for (String table : BY_ROOM_ID) {
                execute(c, "DELETE FROM " + table + " WHERE room_id = ?", roomId);
            }
            execute(c, "DELETE FROM state_snapshot_entries WHERE snapshot_id IN "
                    + "(SELECT snapshot_id FROM state_snapshots WHERE room_id = ?)", roomId);
            execute(c, "DELETE FROM state_snapshots WHERE room_id = ?", roomId);
            execute(c, "DELETE FROM events WHERE room_id = ?", roomId);
            execute(c, "DELETE FROM rooms WHERE room_id = ?", roomId);
            return eventIds;
        });
    }

    private static List<String> eventIds(Connection c, String roomId) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT event_id FROM events WHERE room_id = ?")) {
            ps.setString(1, roomId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    private static void execute(Connection c, String sql, String roomId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, roomId);
            ps.executeUpdate();
        }
    }
}
