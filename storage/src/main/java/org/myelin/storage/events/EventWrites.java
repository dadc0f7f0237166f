package org.myelin.storage.events;

import org.myelin.protocol.event.Pdu;
import org.myelin.storage.state.StateSnapshot;
import org.myelin.storage.state.StateSnapshotRepository;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/** The SQL that writes one event, its edges, its state and the room's heads, inside a transaction. */
final class EventWrites {

    private static final String INSERT_EVENT = """
            INSERT INTO events (event_id, room_id, room_version, type, state_key, sender, depth, origin_server_ts,
                                stream_ordering, outlier, soft_failed, rejected_reason, redacts, json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING event_nid
            """;

    private final StateSnapshotRepository snapshots;

    EventWrites(StateSnapshotRepository snapshots) {
        this.snapshots = snapshots;
    }

    PersistedEvent write(Connection c, PersistRequest r, StreamPositions positions, List<StateSnapshot> written)
            throws SQLException {
        Pdu pdu = r.pdu();
        Existing existing = existing(c, pdu.eventId());
        if (existing != null && !(existing.outlier && r.hasState())) {
            return new PersistedEvent(existing.nid, pdu, existing.streamOrdering, false, true);
        }
        Long ordering = switch (r.placement()) {
            case LIVE -> r.rejectedReason() == null ? positions.nextLive() : null;
            case BACKFILLED -> r.rejectedReason() == null ? positions.nextBackfilled() : null;
            case OUT_OF_BAND -> positions.nextLive();
            case OUTLIER -> null;
        };
        long nid;
        if (existing != null) {
            // An outlier we fetched earlier now takes its place in the graph.
            nid = existing.nid;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE events SET outlier = FALSE, stream_ordering = ?, soft_failed = ? WHERE event_nid = ?")) {
                setLong(ps, 1, ordering);
                ps.setBoolean(2, r.softFailed());
                ps.setLong(3, nid);
                ps.executeUpdate();
            }
        } else {
            nid = insertEvent(c, r, ordering);
            insertEdges(c, nid, "event_prev_edges", "prev_event_id", pdu.prevEventIds());
            insertEdges(c, nid, "event_auth_edges", "auth_event_id", pdu.authEventIds());
        }
        if (r.hasState()) {
            snapshots.write(c, r.stateBefore(), written);
            snapshots.write(c, r.stateAfter(), written);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO event_state (event_nid, before_snapshot, after_snapshot) VALUES (?, ?, ?)")) {
                ps.setLong(1, nid);
                ps.setLong(2, r.stateBefore().id());
                ps.setLong(3, r.stateAfter().id());
                ps.executeUpdate();
            }
            if (r.resetsExtremities()) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM forward_extremities WHERE room_id = ?")) {
                    ps.setString(1, pdu.roomId());
                    ps.executeUpdate();
                }
            }
            if (r.placement() == PersistRequest.Placement.LIVE && !r.softFailed()) {
                moveForwardExtremities(c, pdu);
            }
            if (r.newCurrentState() != null) {
                snapshots.write(c, r.newCurrentState(), written);
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO room_current_state (room_id, snapshot_id) VALUES (?, ?)
                        ON CONFLICT (room_id) DO UPDATE SET snapshot_id = EXCLUDED.snapshot_id""")) {
                    ps.setString(1, pdu.roomId());
                    ps.setLong(2, r.newCurrentState().id());
                    ps.executeUpdate();
                }
            }
            writeMemberships(c, r, ordering);
        } else if (r.placement() == PersistRequest.Placement.OUT_OF_BAND) {
            writeMemberships(c, r, ordering);
        }
        // An out-of-band membership has a position for /sync but is no event of the room's timeline.
        boolean visible = ordering != null && !r.softFailed() && !r.isOutlier();
        return new PersistedEvent(nid, pdu, ordering, visible, false);
    }

    private static void writeMemberships(Connection c, PersistRequest r, Long ordering) throws SQLException {
        if (r.membershipChanges().isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO room_memberships (room_id, user_id, membership, event_id, stream_ordering)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (room_id, user_id) DO UPDATE SET membership = EXCLUDED.membership,
                    event_id = EXCLUDED.event_id, stream_ordering = EXCLUDED.stream_ordering""")) {
            for (PersistRequest.MembershipChange m : r.membershipChanges()) {
                ps.setString(1, r.pdu().roomId());
                ps.setString(2, m.userId());
                ps.setString(3, m.membership());
                ps.setString(4, m.eventId());
                setLong(ps, 5, m.eventId().equals(r.pdu().eventId()) ? ordering : null);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private long insertEvent(Connection c, PersistRequest r, Long ordering) throws SQLException {
        Pdu pdu = r.pdu();
        try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT)) {
            ps.setString(1, pdu.eventId());
            ps.setString(2, pdu.roomId());
            ps.setString(3, pdu.roomVersion().id());
            ps.setString(4, pdu.type());
            ps.setString(5, pdu.stateKey());
            ps.setString(6, pdu.sender());
            ps.setLong(7, pdu.depth());
            ps.setLong(8, pdu.originServerTs());
            setLong(ps, 9, ordering);
            ps.setBoolean(10, r.isOutlier());
            ps.setBoolean(11, r.softFailed());
            ps.setString(12, r.rejectedReason());
            ps.setString(13, pdu.redacts());
            ps.setBytes(14, pdu.canonicalBytes());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void insertEdges(Connection c, long nid, String table, String column, List<String> ids)
            throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (event_nid, " + column
                + ") SELECT ?, unnest(?::text[]) ON CONFLICT DO NOTHING")) {
            ps.setLong(1, nid);
            ps.setArray(2, c.createArrayOf("text", ids.toArray()));
            ps.executeUpdate();
        }
    }

    private static void moveForwardExtremities(Connection c, Pdu pdu) throws SQLException {
        if (!pdu.prevEventIds().isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM forward_extremities WHERE room_id = ? AND event_id = ANY(?)")) {
                ps.setString(1, pdu.roomId());
                Array prevs = c.createArrayOf("text", pdu.prevEventIds().toArray());
                ps.setArray(2, prevs);
                ps.executeUpdate();
            }
        }
        // An event that some stored event already points at is not an extremity (it arrived late).
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO forward_extremities (room_id, event_id)
                SELECT ?, ? WHERE NOT EXISTS (
                    SELECT 1 FROM event_prev_edges p JOIN events e ON e.event_nid = p.event_nid
                    WHERE p.prev_event_id = ? AND e.room_id = ? AND NOT e.outlier AND e.rejected_reason IS NULL)
                ON CONFLICT DO NOTHING""")) {
            ps.setString(1, pdu.roomId());
            ps.setString(2, pdu.eventId());
            ps.setString(3, pdu.eventId());
            ps.setString(4, pdu.roomId());
            ps.executeUpdate();
        }
    }

    private record Existing(long nid, Long streamOrdering, boolean outlier) {
    }

    private static Existing existing(Connection c, String eventId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT event_nid, stream_ordering, outlier FROM events WHERE event_id = ?")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long ordering = rs.getLong(2);
                return new Existing(rs.getLong(1), rs.wasNull() ? null : ordering, rs.getBoolean(3));
            }
        }
    }

    private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }
}
