package org.myelin.storage.rooms;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which events of a room a redaction names (room versions, "Redactions"): the targets of the room's
 * visible {@code m.room.redaction} events, whether or not each redaction turns out to apply.
 */
public final class RedactedEvents {

    private final DataSource dataSource;

    public RedactedEvents(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The ids of the events that a visible redaction of {@code roomId} names. */
    /** {@link #targetsIn(String)} of many rooms in one statement, by room id (rooms without any absent). */
    public Map<String, Set<String>> targetsIn(Collection<String> roomIds) {
        Map<String, Set<String>> targets = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT room_id, redacts FROM events
                WHERE room_id = ANY(?) AND redacts IS NOT NULL AND type = 'm.room.redaction'
                  AND stream_ordering IS NOT NULL AND NOT soft_failed AND rejected_reason IS NULL""")) {
            ps.setArray(1, c.createArrayOf("text", roomIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    targets.computeIfAbsent(rs.getString(1), r -> new HashSet<>()).add(rs.getString(2));
                }
            }
            return targets;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public Set<String> targetsIn(String roomId) {
        Set<String> targets = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT redacts FROM events
                WHERE room_id = ? AND redacts IS NOT NULL AND type = 'm.room.redaction'
                  AND stream_ordering IS NOT NULL AND NOT soft_failed AND rejected_reason IS NULL""")) {
            ps.setString(1, roomId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    targets.add(rs.getString(1));
                }
            }
            return targets;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
