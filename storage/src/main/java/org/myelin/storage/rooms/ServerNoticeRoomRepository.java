package org.myelin.storage.rooms;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** Each local user's server notices room (Synapse's admin API, "Server Notices"). */
public final class ServerNoticeRoomRepository {

    private final DataSource dataSource;

    public ServerNoticeRoomRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<String> roomOf(String userId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT room_id FROM server_notices_rooms WHERE user_id = ?")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** Records (or replaces) the user's notices room. */
    public void set(String userId, String roomId) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO server_notices_rooms (user_id, room_id) "
                    + "VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET room_id = EXCLUDED.room_id")) {
                ps.setString(1, userId);
                ps.setString(2, roomId);
                return ps.executeUpdate();
            }
        });
    }
}
