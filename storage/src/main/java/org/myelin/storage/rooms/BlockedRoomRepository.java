package org.myelin.storage.rooms;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * Rooms an admin blocked (Synapse's admin API, "Block Room API"): no local user may join them or
 * be invited to them. A room may be blocked before this server knows it, and stays blocked after
 * it is purged.
 */
public final class BlockedRoomRepository {

    private final DataSource dataSource;

    public BlockedRoomRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The admin who blocked the room, if it is blocked. */
    public Optional<String> blockedBy(String roomId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT user_id FROM blocked_rooms WHERE room_id = ?")) {
                ps.setString(1, roomId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** Blocks the room; blocking it again keeps the first admin's name, as Synapse does. */
    public void block(String roomId, String adminUserId) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO blocked_rooms (room_id, user_id) VALUES (?, ?) ON CONFLICT (room_id) DO NOTHING")) {
                ps.setString(1, roomId);
                ps.setString(2, adminUserId);
                return ps.executeUpdate();
            }
        });
    }

    public void unblock(String roomId) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM blocked_rooms WHERE room_id = ?")) {
                ps.setString(1, roomId);
                return ps.executeUpdate();
            }
        });
    }
}
