package org.myelin.storage.rooms;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * Rooms users forgot ({@code POST /rooms/{roomId}/forget}). A room is forgotten while the user's
 * membership is still the one they had when they forgot it; a newer membership (rejoin, new
 * invite) brings it back without anyone deleting the row.
 */
public final class ForgottenRoomRepository {

    private final DataSource dataSource;

    public ForgottenRoomRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Forgets the room as of the membership event {@code membershipEventId}. */
    public void forget(String userId, String roomId, String membershipEventId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO forgotten_rooms (user_id, room_id, membership_event_id) VALUES (?, ?, ?)
                ON CONFLICT (user_id, room_id) DO UPDATE SET membership_event_id = EXCLUDED.membership_event_id""")) {
            ps.setString(1, userId);
            ps.setString(2, roomId);
            ps.setString(3, membershipEventId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Whether the user forgot the room and has had no new membership since. */
    public boolean isForgotten(String userId, String roomId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT 1 FROM forgotten_rooms f JOIN room_memberships m
                  ON m.room_id = f.room_id AND m.user_id = f.user_id AND m.event_id = f.membership_event_id
                WHERE f.user_id = ? AND f.room_id = ?""")) {
            ps.setString(1, userId);
            ps.setString(2, roomId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Every room the user has forgotten (and not come back to). */
    public Set<String> forgottenBy(String userId) {
        Set<String> rooms = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT f.room_id FROM forgotten_rooms f JOIN room_memberships m
                  ON m.room_id = f.room_id AND m.user_id = f.user_id AND m.event_id = f.membership_event_id
                WHERE f.user_id = ?""")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rooms.add(rs.getString(1));
                }
            }
            return rooms;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
