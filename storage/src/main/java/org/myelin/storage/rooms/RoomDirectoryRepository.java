package org.myelin.storage.rooms;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The published room directory (client-server API, "Published room directory"): which rooms are
 * listed by {@code /publicRooms}, and the joined member counts it shows.
 */
public final class RoomDirectoryRepository {

    public static final String PUBLIC = "public";
    public static final String PRIVATE = "private";

    private final DataSource dataSource;

    public RoomDirectoryRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** {@code public} or {@code private} (the default for a room never published). */
    public String visibility(String roomId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT visibility FROM room_directory WHERE room_id = ?")) {
            ps.setString(1, roomId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : PRIVATE;
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public void setVisibility(String roomId, String visibility, long nowMillis) {
        if (!PUBLIC.equals(visibility) && !PRIVATE.equals(visibility)) {
            throw new IllegalArgumentException("visibility " + visibility);
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO room_directory (room_id, visibility, updated_ts) VALUES (?, ?, ?)
                ON CONFLICT (room_id) DO UPDATE SET visibility = EXCLUDED.visibility, updated_ts = EXCLUDED.updated_ts""")) {
            ps.setString(1, roomId);
            ps.setString(2, visibility);
            ps.setLong(3, nowMillis);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The published rooms, by room id. */
    public List<String> publicRooms() {
        List<String> rooms = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT room_id FROM room_directory WHERE visibility = 'public' ORDER BY room_id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rooms.add(rs.getString(1));
            }
            return rooms;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The number of joined members of each of {@code roomIds} (absent: none). */
    public Map<String, Integer> joinedCounts(Collection<String> roomIds) {
        Map<String, Integer> counts = new HashMap<>();
        if (roomIds.isEmpty()) {
            return counts;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT room_id, count(*) FROM room_memberships
                WHERE room_id = ANY(?) AND membership = 'join' GROUP BY room_id""")) {
            ps.setArray(1, c.createArrayOf("text", roomIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                }
            }
            return counts;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
