package org.myelin.storage.events;

import org.myelin.protocol.event.Pdu;
import org.myelin.storage.profiles.UserDirectoryRepository;
import org.myelin.storage.state.StateSnapshot;
import org.myelin.storage.state.StateSnapshotRepository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The SQL that writes a batch of events, their edges, their state and the rooms' heads, inside
 * one transaction. The event rows cost two round trips per batch (which are stored already, then
 * one insert of the new ones); everything else is written once per batch (edges, event states,
 * memberships) or once per room (forward extremities, current state), so a busy server's cost per
 * event falls as batches grow.
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
        List<Written> rows = hasRepeats(requests) ? writeEventsOneByOne(c, requests, positions)
                : writeEvents(c, requests, positions);
        EventEdges edges = new EventEdges();
        for (Written w : rows) {
            if (!w.alreadyKnown) {
                edges.add(w.nid, w.request.pdu());
            }
        }
        edges.write(c);
        writeStates(c, rows, written);
        writeRoomHeads(c, rows, written);
        writeMemberships(c, rows);
        writeClientTransactions(c, rows);
        List<RelationWrites.Visible> visibleEvents = new ArrayList<>();
        List<PersistedEvent> done = new ArrayList<>(rows.size());
        for (Written w : rows) {
            // An out-of-band membership has a position for /sync but is no event of the room's timeline.
            boolean visible = !w.alreadyKnown && w.ordering != null && !w.request.softFailed()
                    && !w.request.isOutlier();
            if (visible) {
                visibleEvents.add(new RelationWrites.Visible(w.request.pdu(), w.ordering));
            }
            done.add(new PersistedEvent(w.nid, w.request.pdu(), w.ordering, visible, w.alreadyKnown,
                    w.alreadyKnown ? null : w.request.clientTransaction()));
        }
        RelationWrites.write(c, visibleEvents);
        return done;
    }

    private static boolean hasRepeats(List<PersistRequest> requests) {
        Set<String> ids = new HashSet<>();
        for (PersistRequest r : requests) {
            if (!ids.add(r.pdu().eventId())) {
                return true;
            }
        }
        return false;
    }

    /** The rare batch that holds one event twice: each request sees what the one before wrote. */
    private List<Written> writeEventsOneByOne(Connection c, List<PersistRequest> requests, StreamPositions positions)
            throws SQLException {
        List<Written> rows = new ArrayList<>(requests.size());
        for (PersistRequest r : requests) {
            rows.add(writeEvent(c, r, positions));
        }
        return rows;
    }

    /**
     * The batch's event rows in two round trips whatever its size: which of its events are
     * stored already (exact: every writer of events holds the stream lock, as we do now), then
     * the new ones in one insert. Positions are handed out in request order as one by one would:
     * to new events, and to outliers that now take their place in the graph.
     */
    private List<Written> writeEvents(Connection c, List<PersistRequest> requests, StreamPositions positions)
            throws SQLException {
        Map<String, Existing> stored = existing(c, requests);
        List<PersistRequest> fresh = new ArrayList<>();
        List<Long> freshOrderings = new ArrayList<>();
        Long[] orderings = new Long[requests.size()];
        for (int i = 0; i < requests.size(); i++) {
            PersistRequest r = requests.get(i);
            Existing existing = stored.get(r.pdu().eventId());
            if (existing == null) {
                orderings[i] = newOrdering(r, positions);
                fresh.add(r);
                freshOrderings.add(orderings[i]);
            } else if (existing.outlier && r.hasState()) {
                orderings[i] = promotedOrdering(r, positions);
            }
        }
        Map<String, Long> nids = EventRows.insert(c, fresh, freshOrderings);
        if (nids.size() != fresh.size()) {
            throw new StoredMeanwhile(fresh.size() - nids.size() + " of the batch's events were stored meanwhile");
        }
        List<Written> rows = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            PersistRequest r = requests.get(i);
            Existing existing = stored.get(r.pdu().eventId());
            if (existing == null) {
                rows.add(new Written(r, nids.get(r.pdu().eventId()), orderings[i], false));
            } else if (existing.outlier && r.hasState()) {
                promote(c, existing.nid, orderings[i], r.softFailed());
                rows.add(new Written(r, existing.nid, orderings[i], false));
            } else {
                rows.add(new Written(r, existing.nid, existing.streamOrdering, true));
            }
        }
        return rows;
    }

    private static Long newOrdering(PersistRequest r, StreamPositions positions) {
        return switch (r.placement()) {
            case LIVE -> r.rejectedReason() == null ? positions.nextLive() : null;
            case BACKFILLED -> r.rejectedReason() == null ? positions.nextBackfilled() : null;
            case OUT_OF_BAND -> positions.nextLive();
            case OUTLIER -> null;
        };
    }

    /** The position of an outlier that now takes its place in the graph. */
    private static Long promotedOrdering(PersistRequest r, StreamPositions positions) {
        return switch (r.placement()) {
            case LIVE -> positions.nextLive();
            case BACKFILLED -> positions.nextBackfilled();
            case OUTLIER, OUT_OF_BAND -> null;
        };
    }

    private static void promote(Connection c, long nid, Long ordering, boolean softFailed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE events SET outlier = FALSE, stream_ordering = ?, soft_failed = ? WHERE event_nid = ?")) {
            setLong(ps, 1, ordering);
            ps.setBoolean(2, softFailed);
            ps.setLong(3, nid);
            ps.executeUpdate();
        }
    }

    private static Map<String, Existing> existing(Connection c, List<PersistRequest> requests) throws SQLException {
        Map<String, Existing> found = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT event_id, event_nid, stream_ordering, outlier FROM events WHERE event_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", requests.stream().map(r -> r.pdu().eventId()).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long ordering = rs.getLong(3);
                    found.put(rs.getString(1), new Existing(rs.getLong(2), rs.wasNull() ? null : ordering,
                            rs.getBoolean(4)));
                }
            }
        }
        return found;
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
        List<Long> nids = new ArrayList<>();
        List<Long> before = new ArrayList<>();
        List<Long> after = new ArrayList<>();
        for (Written w : rows) {
            PersistRequest r = w.request;
            if (w.alreadyKnown || !r.hasState()) {
                continue;
            }
            // No-ops for messages, whose snapshots exist already.
            snapshots.write(c, r.stateBefore(), written);
            snapshots.write(c, r.stateAfter(), written);
            nids.add(w.nid);
            before.add(r.stateBefore().id());
            after.add(r.stateAfter().id());
        }
        if (nids.isEmpty()) {
            return;
        }
        // One statement for the batch, as for the edges.
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO event_state (event_nid, before_snapshot, after_snapshot)
                SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[])
                ON CONFLICT (event_nid) DO NOTHING""")) {
            ps.setArray(1, c.createArrayOf("bigint", nids.toArray()));
            ps.setArray(2, c.createArrayOf("bigint", before.toArray()));
            ps.setArray(3, c.createArrayOf("bigint", after.toArray()));
            ps.executeUpdate();
        }
    }

    /** Forward extremities and current state: only each room's last change in the batch counts. */
    private void writeRoomHeads(Connection c, List<Written> rows, List<StateSnapshot> written) throws SQLException {
        Map<String, List<String>> extremities = new LinkedHashMap<>();
        Map<String, StateSnapshot> current = new LinkedHashMap<>();
        Set<String> judged = new HashSet<>();
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
                if (!r.joinRulesAndVisibilityKept()) {
                    judged.add(room);
                }
            }
        }
        for (Map.Entry<String, List<String>> e : extremities.entrySet()) {
            // One statement: drop the extremities that are no longer, add the new ones (those in
            // both are kept: the delete spares them, the insert finds them).
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH gone AS (DELETE FROM forward_extremities WHERE room_id = ? AND event_id <> ALL (?::text[]))
                    INSERT INTO forward_extremities (room_id, event_id) SELECT ?, unnest(?::text[])
                    ON CONFLICT DO NOTHING""")) {
                java.sql.Array ids = c.createArrayOf("text", e.getValue().toArray());
                ps.setString(1, e.getKey());
                ps.setArray(2, ids);
                ps.setString(3, e.getKey());
                ps.setArray(4, ids);
                ps.executeUpdate();
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
        // The directory follows join rules and history visibility: judged again where either may have moved.
        Map<String, Long> moved = new LinkedHashMap<>();
        current.forEach((room, state) -> {
            if (judged.contains(room)) {
                moved.put(room, state.id());
            }
        });
        UserDirectoryRepository.currentStatesMoved(c, moved);
    }

    private record MembershipRow(String roomId, String userId, String membership, String eventId, Long ordering) {
    }

    /**
     * The batch's membership changes in one statement (a join into a big room joined through
     * another server changes thousands). A later change of the same user in the batch wins, as if
     * each had been written in turn.
     */
    private static void writeMemberships(Connection c, List<Written> rows) throws SQLException {
        Map<List<String>, MembershipRow> latest = new LinkedHashMap<>();
        for (Written w : rows) {
            PersistRequest r = w.request;
            boolean outOfBand = r.placement() == PersistRequest.Placement.OUT_OF_BAND;
            if (w.alreadyKnown || (!outOfBand && (!r.hasState() || r.newCurrentState() == null))) {
                continue;
            }
            for (PersistRequest.MembershipChange m : r.membershipChanges()) {
                Long ordering = m.eventId().equals(r.pdu().eventId()) ? w.ordering : null;
                List<String> key = List.of(r.pdu().roomId(), m.userId());
                latest.remove(key);
                latest.put(key, new MembershipRow(r.pdu().roomId(), m.userId(), m.membership(), m.eventId(), ordering));
            }
        }
        if (latest.isEmpty()) {
            return;
        }
        int n = latest.size();
        String[] rooms = new String[n];
        String[] users = new String[n];
        String[] memberships = new String[n];
        String[] eventIds = new String[n];
        Long[] orderings = new Long[n];
        int i = 0;
        for (MembershipRow row : latest.values()) {
            rooms[i] = row.roomId();
            users[i] = row.userId();
            memberships[i] = row.membership();
            eventIds[i] = row.eventId();
            orderings[i] = row.ordering();
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO room_memberships (room_id, user_id, membership, event_id, stream_ordering)
                SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])
                ON CONFLICT (room_id, user_id) DO UPDATE SET membership = EXCLUDED.membership,
                    event_id = EXCLUDED.event_id, stream_ordering = EXCLUDED.stream_ordering""")) {
            ps.setArray(1, c.createArrayOf("text", rooms));
            ps.setArray(2, c.createArrayOf("text", users));
            ps.setArray(3, c.createArrayOf("text", memberships));
            ps.setArray(4, c.createArrayOf("text", eventIds));
            ps.setArray(5, c.createArrayOf("bigint", orderings));
            ps.executeUpdate();
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

    /**
     * Some events of a batch were stored by another transaction (outliers of a concurrent join,
     * say) between the batch's look-up and its insert: written again, the batch finds them stored.
     */
    static final class StoredMeanwhile extends SQLException {
        StoredMeanwhile(String message) {
            super(message);
        }
    }
}
