package org.myelin.storage.rooms;

import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Rooms this server takes part in: their version, forward extremities and current state. */
public final class RoomRepository {

    /** What the server knows of a room's head. */
    public record RoomHead(String roomId, RoomVersion version, List<String> forwardExtremities,
                           Long currentSnapshotId) {
    }

    private final DataSource dataSource;
    /**
     * Versions found, by room: a room's version never changes once recorded, so every PDU of a
     * busy room need not ask the database again. Unknown rooms are not remembered (they may be
     * joined at any moment).
     */
    private final Map<String, RoomVersion> versions = new ConcurrentHashMap<>();

    public RoomRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records a room; does nothing if it is known already. Whether this call recorded it: of two
     * calls for one new room id, at once or years apart, exactly one is first.
     */
    public boolean create(String roomId, RoomVersion version, long createdTs) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO rooms (room_id, room_version, created_ts) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, roomId);
            ps.setString(2, version.id());
            ps.setLong(3, createdTs);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public Optional<RoomVersion> version(String roomId) {
        RoomVersion known = versions.get(roomId);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<RoomVersion> found = versionStored(roomId);
        found.ifPresent(v -> versions.putIfAbsent(roomId, v));
        return found;
    }

    /** Every room this server has state of, by id. */
    public java.util.List<String> roomsWithState() {
        java.util.List<String> ids = new java.util.ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT room_id FROM room_current_state ORDER BY room_id")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Forgets what is cached of a room that was purged. */
    public void forget(String roomId) {
        versions.remove(roomId);
    }

    private Optional<RoomVersion> versionStored(String roomId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT room_version FROM rooms WHERE room_id = ?")) {
            ps.setString(1, roomId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? RoomVersions.find(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The room's head as committed, or empty if the room is unknown. */
    public Optional<RoomHead> head(String roomId) {
        Optional<RoomVersion> version = version(roomId);
        if (version.isEmpty()) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection()) {
            List<String> extremities = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT event_id FROM forward_extremities WHERE room_id = ? ORDER BY event_id")) {
                ps.setString(1, roomId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        extremities.add(rs.getString(1));
                    }
                }
            }
            Long snapshot = null;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT snapshot_id FROM room_current_state WHERE room_id = ?")) {
                ps.setString(1, roomId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        snapshot = rs.getLong(1);
                    }
                }
            }
            return Optional.of(new RoomHead(roomId, version.get(), List.copyOf(extremities), snapshot));
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Whether an event of the room's graph (no outlier, not rejected) names a prev event that is
     * not in the graph here: the room has a gap. Once per room and process (see RoomGaps).
     */
    public boolean hasEventWithPrevOutsideGraph(String roomId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT 1 FROM events e JOIN event_prev_edges p ON p.event_nid = e.event_nid
                WHERE e.room_id = ? AND NOT e.outlier AND e.rejected_reason IS NULL
                  AND NOT EXISTS (SELECT 1 FROM events x WHERE x.event_id = p.prev_event_id
                                  AND NOT x.outlier AND x.rejected_reason IS NULL)
                LIMIT 1""")) {
            ps.setString(1, roomId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Whether an event of the room in its graph (not an outlier, not rejected) names
     * {@code eventId} among its {@code prev_events}: an event arriving after its children is no
     * forward extremity.
     */
    public boolean isPrevOfStoredEvent(String roomId, String eventId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT 1 FROM event_prev_edges p JOIN events e ON e.event_nid = p.event_nid
                WHERE p.prev_event_id = ? AND e.room_id = ? AND NOT e.outlier AND e.rejected_reason IS NULL
                LIMIT 1""")) {
            ps.setString(1, eventId);
            ps.setString(2, roomId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
