package org.myelin.storage.events;

import org.myelin.protocol.event.Pdu;
import org.myelin.storage.state.StateSnapshot;
import org.myelin.storage.state.StateSnapshotRepository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL that writes a batch of events, their edges, their state and the rooms' heads, inside
 * one transaction. Per event it costs one round trip (the event row); everything else is written
 * once per batch (edges, event states, memberships) or once per room (forward extremities,
 * current state), so a busy server's cost per event falls as batches grow.
 */
final class EventWrites {

    private static final String INSERT_EVENT = """
            INSERT INTO events (event_id, room_id, room_version, type, state_key, sender, depth, origin_server_ts,
                                stream_ordering, outlier, soft_failed, rejected_reason, redacts, json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_nid
            """;

    private final StateSnapshotRepository snapshots;

    EventWrites(StateSnapshotRepository snapshots) {
        this.snapshots = snapshots;
    }

    /** What one request became: its row, and whether it was new. */
    private record Written(PersistRequest request, long nid, Long ordering, boolean alreadyKnown) {
    }

    List<PersistedEvent> write(Connection c, List<PersistRequest> requests, StreamPositions positions,
                               List<StateSnapshot> written) throws SQLException {
        List<Written> rows = new ArrayList<>(requests.size());
        Edges edges = new Edges();
        for (PersistRequest r : requests) {
            Written w = writeEvent(c, r, positions);
            rows.add(w);
            if (!w.alreadyKnown) {
                edges.add(w.nid, w.request.pdu());
            }
        }
        edges.write(c);
        writeStates(c, rows, written);
        writeRoomHeads(c, rows, written);
        writeMemberships(c, rows);
        writeClientTransactions(c, rows);
        List<PersistedEvent> done = new ArrayList<>(rows.size());
        for (Written w : rows) {
            // An out-of-band membership has a position for /sync but is no event of the room's timeline.
            boolean visible = !w.alreadyKnown && w.ordering != null && !w.request.softFailed()
                    && !w.request.isOutlier();
            done.add(new PersistedEvent(w.nid, w.request.pdu(), w.ordering, visible, w.alreadyKnown,
                    w.alreadyKnown ? null : w.request.clientTransaction()));
        }
        return done;
    }

    private Written writeEvent(Connection c, PersistRequest r, StreamPositions positions) throws SQLException {
        Long ordering = switch (r.placement()) {
            case LIVE -> r.rejectedReason() == null ? positions.nextLive() : null;
            case BACKFILLED -> r.rejectedReason() == null ? positions.nextBackfilled() : null;
            case OUT_OF_BAND -> positions.nextLive();
            case OUTLIER -> null;
        };
        Long nid = insertEvent(c, r, ordering);
        if (nid != null) {
            return new Written(r, nid, ordering, false);
        }
        positions.giveBack(r.placement(), ordering);
        Existing existing = existing(c, r.pdu().eventId());
        if (!(existing.outlier && r.hasState())) {
            return new Written(r, existing.nid, existing.streamOrdering, true);
        }
        // An outlier we fetched earlier now takes its place in the graph.
        ordering = switch (r.placement()) {
            case LIVE -> positions.nextLive();
            case BACKFILLED -> positions.nextBackfilled();
            case OUTLIER, OUT_OF_BAND -> null;
        };
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE events SET outlier = FALSE, stream_ordering = ?, soft_failed = ? WHERE event_nid = ?")) {
            setLong(ps, 1, ordering);
            ps.setBoolean(2, r.softFailed());
            ps.setLong(3, existing.nid);
            ps.executeUpdate();
        }
        return new Written(r, existing.nid, ordering, false);
    }

    private void writeStates(Connection c, List<Written> rows, List<StateSnapshot> written) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO event_state (event_nid, before_snapshot, after_snapshot) VALUES (?, ?, ?)"
                        + " ON CONFLICT (event_nid) DO NOTHING")) {
            int pending = 0;
            for (Written w : rows) {
                PersistRequest r = w.request;
                if (w.alreadyKnown || !r.hasState()) {
                    continue;
                }
                // No-ops for messages, whose snapshots exist already.
                snapshots.write(c, r.stateBefore(), written);
                snapshots.write(c, r.stateAfter(), written);
                ps.setLong(1, w.nid);
                ps.setLong(2, r.stateBefore().id());
                ps.setLong(3, r.stateAfter().id());
                ps.addBatch();
                pending++;
            }
            if (pending > 0) {
                ps.executeBatch();
            }
        }
    }

    /** Forward extremities and current state: only each room's last change in the batch counts. */
    private void writeRoomHeads(Connection c, List<Written> rows, List<StateSnapshot> written) throws SQLException {
        Map<String, List<String>> extremities = new LinkedHashMap<>();
        Map<String, StateSnapshot> current = new LinkedHashMap<>();
        for (Written w : rows) {
            PersistRequest r = w.request;
            if (w.alreadyKnown) {
                continue;
            }
            String room = r.pdu().roomId();
            if (r.movesExtremities() && r.newForwardExtremities() != null) {
                extremities.put(room, r.newForwardExtremities());
            }
            if (r.hasState() && r.newCurrentState() != null) {
                current.put(room, r.newCurrentState());
            }
        }
        for (Map.Entry<String, List<String>> e : extremities.entrySet()) {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM forward_extremities WHERE room_id = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO forward_extremities (room_id, event_id)"
                         + " SELECT ?, unnest(?::text[]) ON CONFLICT DO NOTHING")) {
                delete.setString(1, e.getKey());
                delete.executeUpdate();
                insert.setString(1, e.getKey());
                insert.setArray(2, c.createArrayOf("text", e.getValue().toArray()));
                insert.executeUpdate();
            }
        }
        for (Map.Entry<String, StateSnapshot> e : current.entrySet()) {
            snapshots.write(c, e.getValue(), written);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO room_current_state (room_id, snapshot_id) VALUES (?, ?)
                    ON CONFLICT (room_id) DO UPDATE SET snapshot_id = EXCLUDED.snapshot_id""")) {
                ps.setString(1, e.getKey());
                ps.setLong(2, e.getValue().id());
                ps.executeUpdate();
            }
        }
    }

    private static void writeMemberships(Connection c, List<Written> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO room_memberships (room_id, user_id, membership, event_id, stream_ordering)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (room_id, user_id) DO UPDATE SET membership = EXCLUDED.membership,
                    event_id = EXCLUDED.event_id, stream_ordering = EXCLUDED.stream_ordering""")) {
            int pending = 0;
            for (Written w : rows) {
                PersistRequest r = w.request;
                boolean outOfBand = r.placement() == PersistRequest.Placement.OUT_OF_BAND;
                if (w.alreadyKnown || (!outOfBand && (!r.hasState() || r.newCurrentState() == null))) {
                    continue;
                }
                for (PersistRequest.MembershipChange m : r.membershipChanges()) {
                    ps.setString(1, r.pdu().roomId());
                    ps.setString(2, m.userId());
                    ps.setString(3, m.membership());
                    ps.setString(4, m.eventId());
                    setLong(ps, 5, m.eventId().equals(r.pdu().eventId()) ? w.ordering : null);
                    ps.addBatch();
                    pending++;
                }
            }
            if (pending > 0) {
                ps.executeBatch();
            }
        }
    }

    /**
     * The client transactions the batch's new local events were sent with, in the events' own
     * commit: a send that was acknowledged is found by a retry, whenever the server stops. A key
     * already recorded (by another process that raced) keeps its event.
     */
    private static void writeClientTransactions(Connection c, List<Written> rows) throws SQLException {
        PreparedStatement ps = null;
        try {
            for (Written w : rows) {
                ClientTransactionRepository.Key key = w.request.clientTransaction();
                if (w.alreadyKnown || key == null) {
                    continue;
                }
                if (ps == null) {
                    ps = c.prepareStatement(ClientTransactionRepository.INSERT);
                }
                ClientTransactionRepository.bind(ps, key);
                ps.setString(6, w.request.pdu().eventId());
                ps.setLong(7, w.request.pdu().originServerTs());
                ps.addBatch();
            }
            if (ps != null) {
                ps.executeBatch();
            }
        } finally {
            if (ps != null) {
                ps.close();
            }
        }
    }

    private static Long insertEvent(Connection c, PersistRequest r, Long ordering) throws SQLException {
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
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    /** The prev and auth edges of a batch's new events, written with one statement per table. */
    private static final class Edges {
        private final List<Long> prevNids = new ArrayList<>();
        private final List<String> prevIds = new ArrayList<>();
        private final List<Long> authNids = new ArrayList<>();
        private final List<String> authIds = new ArrayList<>();

        void add(long nid, Pdu pdu) {
            for (String id : pdu.prevEventIds()) {
                prevNids.add(nid);
                prevIds.add(id);
            }
            for (String id : pdu.authEventIds()) {
                authNids.add(nid);
                authIds.add(id);
            }
        }

        void write(Connection c) throws SQLException {
            insert(c, "event_prev_edges", "prev_event_id", prevNids, prevIds);
            insert(c, "event_auth_edges", "auth_event_id", authNids, authIds);
        }

        private static void insert(Connection c, String table, String column, List<Long> nids, List<String> ids)
                throws SQLException {
            if (ids.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (event_nid, " + column
                    + ") SELECT unnest(?::bigint[]), unnest(?::text[]) ON CONFLICT DO NOTHING")) {
                ps.setArray(1, c.createArrayOf("bigint", nids.toArray()));
                ps.setArray(2, c.createArrayOf("text", ids.toArray()));
                ps.executeUpdate();
            }
        }
    }

    private record Existing(long nid, Long streamOrdering, boolean outlier) {
    }

    private static Existing existing(Connection c, String eventId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT event_nid, stream_ordering, outlier FROM events WHERE event_id = ?")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
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
