package org.myelin.storage.push;

import org.myelin.storage.Transactions;

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
 * Push actions (Synapse's {@code event_push_actions}): for each local user and each event their
 * push rules said notifies them, the actions and whether it highlights, with the position up to
 * which every event was looked at. Read by {@code GET /notifications}, by HTTP pushers and for
 * the unread counts sent to push gateways. A room counts as read up to the user's furthest
 * {@code m.read} or {@code m.read.private} receipt of its main timeline, as /sync counts it.
 */
public final class PushActionRepository {

    /**
     * One push action.
     *
     * @param actionsJson the actions of the rule that matched, a JSON array
     * @param receivedTs  when the server received the event (ms)
     */
    public record PushAction(String userId, String roomId, String eventId, long streamOrdering, String actionsJson,
                             boolean highlight, long receivedTs) {
    }

    /**
     * A user's unread notifications over the rooms they are joined to: those after their read
     * receipt or their own latest event in each room.
     *
     * @param notifications unread notifying events
     * @param missedCalls   those of them that are {@code m.call.invite} events
     * @param invites       rooms the user is invited to
     */
    public record UnreadCounts(long notifications, long missedCalls, long invites) {
    }

    private final DataSource dataSource;

    public PushActionRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The timeline position up to which every event's push actions are recorded. */
    public long processedUpTo() {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT processed_up_to FROM event_push_actions_position");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /**
     * Stores {@code actions} (an action already stored stays as it was) and moves the recorded
     * position to {@code upTo}, in one transaction.
     */
    public void record(Collection<PushAction> actions, long upTo) {
        Transactions.inTransaction(dataSource, c -> {
            if (!actions.isEmpty()) {
                insert(c, actions);
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE event_push_actions_position "
                    + "SET processed_up_to = GREATEST(processed_up_to, ?)")) {
                ps.setLong(1, upTo);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static void insert(Connection c, Collection<PushAction> actions) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_push_actions (user_id, room_id, event_id, "
                + "stream_ordering, actions, highlight, received_ts) VALUES (?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (user_id, event_id) DO NOTHING")) {
            for (PushAction a : actions) {
                ps.setString(1, a.userId());
                ps.setString(2, a.roomId());
                ps.setString(3, a.eventId());
                ps.setLong(4, a.streamOrdering());
                ps.setString(5, a.actionsJson());
                ps.setBoolean(6, a.highlight());
                ps.setLong(7, a.receivedTs());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Up to {@code limit} of the user's push actions before position {@code before} (all when
     * null), newest first; only highlights when {@code onlyHighlights}.
     */
    public List<PushAction> newestFirst(String userId, Long before, int limit, boolean onlyHighlights) {
        String sql = "SELECT user_id, room_id, event_id, stream_ordering, actions, highlight, received_ts "
                + "FROM event_push_actions WHERE user_id = ?"
                + (before == null ? "" : " AND stream_ordering < ?")
                + (onlyHighlights ? " AND highlight" : "")
                + " ORDER BY stream_ordering DESC LIMIT ?";
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, userId);
                if (before != null) {
                    ps.setLong(i++, before);
                }
                ps.setInt(i, limit);
                return read(ps);
            }
        });
    }

    /**
     * Up to {@code limit} of the user's push actions after position {@code after}, oldest first,
     * leaving out those of events the user has since read (a read receipt at or after them): what
     * an HTTP pusher still has to send.
     */
    public List<PushAction> unreadAfter(String userId, long after, int limit) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT a.user_id, a.room_id, a.event_id, a.stream_ordering, a.actions, a.highlight, a.received_ts
                    FROM event_push_actions a
                    WHERE a.user_id = ? AND a.stream_ordering > ?
                      AND a.stream_ordering > COALESCE((SELECT MAX(r.event_stream_ordering) FROM receipts r
                          WHERE r.room_id = a.room_id AND r.user_id = a.user_id
                            AND r.receipt_type IN ('m.read', 'm.read.private')
                            AND r.thread_id IN ('', 'main')), 0)
                    ORDER BY a.stream_ordering LIMIT ?""")) {
                ps.setString(1, userId);
                ps.setLong(2, after);
                ps.setInt(3, limit);
                return read(ps);
            }
        });
    }

    /**
     * Which of {@code eventIds} have a push action of {@code userId}'s, each with whether it
     * highlights; the others notified the user of nothing.
     */
    public Map<String, Boolean> highlightsOf(String userId, Collection<String> eventIds) {
        Map<String, Boolean> found = new HashMap<>();
        if (eventIds.isEmpty()) {
            return found;
        }
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT event_id, highlight FROM event_push_actions WHERE user_id = ? AND event_id = ANY(?)")) {
                ps.setString(1, userId);
                ps.setArray(2, c.createArrayOf("text", eventIds.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.put(rs.getString(1), rs.getBoolean(2));
                    }
                }
            }
            return found;
        });
    }

    /** The user's unread counts, for a push gateway's badge. */
    public UnreadCounts unreadCounts(String userId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH joined AS (
                        SELECT m.room_id, GREATEST(
                            COALESCE((SELECT MAX(r.event_stream_ordering) FROM receipts r
                                WHERE r.room_id = m.room_id AND r.user_id = m.user_id
                                  AND r.receipt_type IN ('m.read', 'm.read.private')
                                  AND r.thread_id IN ('', 'main')), 0),
                            COALESCE((SELECT MAX(e.stream_ordering) FROM events e
                                WHERE e.room_id = m.room_id AND e.sender = m.user_id AND e.stream_ordering > 0), 0)
                        ) AS read_up_to
                        FROM room_memberships m WHERE m.user_id = ? AND m.membership = 'join')
                    SELECT COUNT(a.event_id), COUNT(a.event_id) FILTER (WHERE e.type = 'm.call.invite'),
                           (SELECT COUNT(*) FROM room_memberships i WHERE i.user_id = ? AND i.membership = 'invite')
                    FROM joined j
                    JOIN event_push_actions a ON a.user_id = ? AND a.room_id = j.room_id
                                             AND a.stream_ordering > j.read_up_to
                    LEFT JOIN events e ON e.event_id = a.event_id""")) {
                ps.setString(1, userId);
                ps.setString(2, userId);
                ps.setString(3, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new UnreadCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3));
                }
            }
        });
    }

    private static List<PushAction> read(PreparedStatement ps) throws SQLException {
        List<PushAction> found = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found.add(new PushAction(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getString(5), rs.getBoolean(6), rs.getLong(7)));
            }
        }
        return found;
    }
}
