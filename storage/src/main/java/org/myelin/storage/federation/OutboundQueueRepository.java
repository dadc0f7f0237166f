package org.myelin.storage.federation;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The persisted outbound federation queue: per destination, the PDUs (by event id; the event
 * itself stays in {@code events}) and EDUs still to deliver, and the timeline position up to
 * which local events have been queued.
 */
public final class OutboundQueueRepository {

    /** One PDU to deliver to one destination. */
    public record QueuedPdu(String destination, String eventId) {
    }

    /** A queued PDU with the event, ready to send. */
    public record PendingPdu(long queueId, Pdu pdu) {
    }

    /** One EDU to queue for one destination: its type and its content as canonical JSON. */
    public record QueuedEdu(String destination, String eduType, byte[] content) {
    }

    /** A queued EDU: its type and its content as canonical JSON. */
    public record PendingEdu(long queueId, String eduType, byte[] content) {
    }

    /** A local event committed to the timeline. */
    public record LocalEvent(String eventId, String roomId, long streamOrdering) {
    }

    private final DataSource dataSource;

    public OutboundQueueRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The position up to which local events have been queued. On first use it starts at the
     * end of the timeline: history from before federation existed is not sent.
     */
    public long position() {
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO federation_outbound_position (stream_ordering)
                    SELECT COALESCE(MAX(stream_ordering), 0) FROM events
                    ON CONFLICT (singleton) DO NOTHING""")) {
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT stream_ordering FROM federation_outbound_position");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /**
     * Queues PDUs for delivery (a PDU already queued for a destination is not queued twice) and
     * moves the position forward to {@code upToStreamOrdering}, in one transaction.
     */
    public void enqueuePdus(Collection<QueuedPdu> pdus, long upToStreamOrdering, long now) {
        Transactions.inTransaction(dataSource, c -> {
            insert(c, pdus, now);
            try (PreparedStatement ps = c.prepareStatement("UPDATE federation_outbound_position "
                    + "SET stream_ordering = GREATEST(stream_ordering, ?)")) {
                ps.setLong(1, upToStreamOrdering);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Queues PDUs of events just committed and moves the position forward to the latest of them
     * in the timeline, in one transaction. Callers hand events over in commit order.
     */
    public void enqueueCommitted(Collection<QueuedPdu> pdus, long now) {
        Transactions.inTransaction(dataSource, c -> {
            insert(c, pdus, now);
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE federation_outbound_position SET stream_ordering = GREATEST(stream_ordering,
                        COALESCE((SELECT MAX(stream_ordering) FROM events WHERE event_id = ANY(?)), stream_ordering))""")) {
                ps.setArray(1, c.createArrayOf("text", pdus.stream().map(QueuedPdu::eventId).distinct().toArray()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static void insert(java.sql.Connection c, Collection<QueuedPdu> pdus, long now) throws java.sql.SQLException {
        if (pdus.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO federation_outbound_pdus "
                + "(destination, event_id, queued_ts) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (QueuedPdu p : pdus) {
                ps.setString(1, p.destination());
                ps.setString(2, p.eventId());
                ps.setLong(3, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Queues one EDU for {@code destination}. */
    public void enqueueEdu(String destination, String eduType, byte[] content, long now) {
        Transactions.withConnection(dataSource, c -> {
            enqueueEdu(c, destination, eduType, content, now);
            return null;
        });
    }

    /**
     * Queues one EDU for {@code destination} in the caller's transaction: for a writer whose EDU
     * must be queued if and only if its own change commits (to-device messages). The caller
     * then wakes the destination's queue.
     */
    public static void enqueueEdu(Connection c, String destination, String eduType, byte[] content, long now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO federation_outbound_edus "
                + "(destination, edu_type, content, queued_ts) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, destination);
            ps.setString(2, eduType);
            ps.setBytes(3, content);
            ps.setLong(4, now);
            ps.executeUpdate();
        }
    }

    /** Queues EDUs in the caller's transaction, in the order given (see {@link #enqueueEdu(Connection, String, String, byte[], long)}). */
    public static void enqueueEdus(Connection c, Collection<QueuedEdu> edus, long now) throws SQLException {
        if (edus.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO federation_outbound_edus "
                + "(destination, edu_type, content, queued_ts) VALUES (?, ?, ?, ?)")) {
            for (QueuedEdu e : edus) {
                ps.setString(1, e.destination());
                ps.setString(2, e.eduType());
                ps.setBytes(3, e.content());
                ps.setLong(4, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Visible events sent by {@code serverName}'s users after {@code position} in the timeline,
     * oldest first: what a crash may have kept from the queue.
     */
    public List<LocalEvent> localEventsAfter(long position, String serverName, int limit) {
        return Transactions.withConnection(dataSource, c -> {
            List<LocalEvent> found = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT event_id, room_id, stream_ordering FROM events
                    WHERE stream_ordering > ? AND NOT outlier AND NOT soft_failed AND rejected_reason IS NULL
                      AND substring(sender from position(':' in sender) + 1) = ?
                    ORDER BY stream_ordering LIMIT ?""")) {
                ps.setLong(1, position);
                ps.setString(2, serverName);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(new LocalEvent(rs.getString(1), rs.getString(2), rs.getLong(3)));
                    }
                }
            }
            return found;
        });
    }

    /** The destinations that have anything queued. */
    public List<String> destinationsWithPending() {
        return Transactions.withConnection(dataSource, c -> {
            List<String> found = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT destination FROM federation_outbound_pdus "
                    + "UNION SELECT destination FROM federation_outbound_edus ORDER BY 1");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            return found;
        });
    }

    /** The oldest PDUs queued for {@code destination}, at most {@code limit}. */
    public List<PendingPdu> pendingPdus(String destination, int limit) {
        return Transactions.withConnection(dataSource, c -> {
            List<PendingPdu> found = new ArrayList<>();
            List<Long> orphans = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT q.queue_id, e.room_version, e.json FROM federation_outbound_pdus q
                    LEFT JOIN events e ON e.event_id = q.event_id
                    WHERE q.destination = ? ORDER BY q.queue_id LIMIT ?""")) {
                ps.setString(1, destination);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        var version = rs.getString(2) == null ? null : RoomVersions.find(rs.getString(2)).orElse(null);
                        if (version == null) {
                            orphans.add(rs.getLong(1));
                        } else {
                            found.add(new PendingPdu(rs.getLong(1), Pdu.parse(rs.getBytes(3), version)));
                        }
                    }
                }
            }
            if (!orphans.isEmpty()) {
                // Nothing to send for these: the event is gone.
                delete(c, "federation_outbound_pdus", orphans);
            }
            return found;
        });
    }

    /** The oldest EDUs queued for {@code destination}, at most {@code limit}. */
    public List<PendingEdu> pendingEdus(String destination, int limit) {
        return Transactions.withConnection(dataSource, c -> {
            List<PendingEdu> found = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT queue_id, edu_type, content "
                    + "FROM federation_outbound_edus WHERE destination = ? ORDER BY queue_id LIMIT ?")) {
                ps.setString(1, destination);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(new PendingEdu(rs.getLong(1), rs.getString(2), rs.getBytes(3)));
                    }
                }
            }
            return found;
        });
    }

    /** Forgets delivered PDUs and EDUs (by queue id), in one transaction. */
    public void delivered(Collection<Long> pduIds, Collection<Long> eduIds) {
        Transactions.inTransaction(dataSource, c -> {
            delete(c, "federation_outbound_pdus", pduIds);
            delete(c, "federation_outbound_edus", eduIds);
            return null;
        });
    }

    private static void delete(java.sql.Connection c, String table, Collection<Long> ids) throws java.sql.SQLException {
        if (ids.isEmpty()) {
            return;
        }
        // The table name is one of our two constants, never input.
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE queue_id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            ps.executeUpdate();
        }
    }
}
