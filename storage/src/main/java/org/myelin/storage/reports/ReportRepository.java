package org.myelin.storage.reports;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reports of abuse users made (client-server API, "Reporting content"), kept for the server's
 * administrators: of an event, a room or a user. The newest first when read.
 */
public final class ReportRepository {

    /** A report of an event; {@code reason} and {@code score} as the reporter gave them, or null. */
    public record EventReport(long id, long receivedTs, String reporter, String roomId, String eventId, String reason,
                              Integer score) {
    }

    /** A report of a room. */
    public record RoomReport(long id, long receivedTs, String reporter, String roomId, String reason) {
    }

    /** A report of a user. */
    public record UserReport(long id, long receivedTs, String reporter, String targetUserId, String reason) {
    }

    /**
     * Which reports of events an admin lists (Synapse's admin API, "Show reported events"):
     * {@code reporter} and {@code roomId} match as substrings, {@code eventSender} exactly; null
     * matches all.
     */
    public record EventReportQuery(long from, int limit, boolean newestFirst, String reporter, String roomId,
                                   String eventSender) {
    }

    /** A report of an event with the reported event's sender, null when this server no longer has the event. */
    public record ListedEventReport(EventReport report, String eventSender) {
    }

    /** A page of reports and how many match in all. */
    public record EventReportPage(List<ListedEventReport> reports, long total) {
    }

    /** A report with the reported event as this server keeps it (its canonical JSON). */
    public record EventReportDetail(ListedEventReport listed, byte[] eventJson) {
    }

    private static final String LISTED = "SELECT er.id, er.received_ts, er.reporter, er.room_id, er.event_id, "
            + "er.reason, er.score, e.sender FROM event_reports er LEFT JOIN events e ON e.event_id = er.event_id ";

    private final DataSource dataSource;

    public ReportRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void addEventReport(String reporter, String roomId, String eventId, String reason, Integer score,
                               long receivedTs) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_reports (received_ts, reporter, "
                    + "room_id, event_id, reason, score) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, receivedTs);
                ps.setString(2, reporter);
                ps.setString(3, roomId);
                ps.setString(4, eventId);
                ps.setString(5, reason);
                if (score == null) {
                    ps.setNull(6, Types.INTEGER);
                } else {
                    ps.setInt(6, score);
                }
                return ps.executeUpdate();
            }
        });
    }

    public void addRoomReport(String reporter, String roomId, String reason, long receivedTs) {
        insert("INSERT INTO room_reports (received_ts, reporter, room_id, reason) VALUES (?, ?, ?, ?)",
                receivedTs, reporter, roomId, reason);
    }

    public void addUserReport(String reporter, String targetUserId, String reason, long receivedTs) {
        insert("INSERT INTO user_reports (received_ts, reporter, target_user_id, reason) VALUES (?, ?, ?, ?)",
                receivedTs, reporter, targetUserId, reason);
    }

    /** The {@code limit} newest reports of events. */
    public List<EventReport> eventReports(int limit) {
        return read("SELECT id, received_ts, reporter, room_id, event_id, reason, score FROM event_reports "
                + "ORDER BY received_ts DESC, id DESC LIMIT ?", limit, rs -> {
            int score = rs.getInt(7);
            return new EventReport(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getString(6), rs.wasNull() ? null : score);
        });
    }

    /** The {@code limit} newest reports of rooms. */
    public List<RoomReport> roomReports(int limit) {
        return read("SELECT id, received_ts, reporter, room_id, reason FROM room_reports "
                + "ORDER BY received_ts DESC, id DESC LIMIT ?", limit,
                rs -> new RoomReport(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)));
    }

    /** The {@code limit} newest reports of users. */
    public List<UserReport> userReports(int limit) {
        return read("SELECT id, received_ts, reporter, target_user_id, reason FROM user_reports "
                + "ORDER BY received_ts DESC, id DESC LIMIT ?", limit,
                rs -> new UserReport(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)));
    }

    /** The reports {@code query} asks for, ordered by when they were received, and how many match. */
    public EventReportPage eventReports(EventReportQuery query) {
        List<String> conditions = new ArrayList<>();
        List<String> args = new ArrayList<>();
        if (query.reporter() != null) {
            conditions.add("strpos(er.reporter, ?) > 0");
            args.add(query.reporter());
        }
        if (query.roomId() != null) {
            conditions.add("strpos(er.room_id, ?) > 0");
            args.add(query.roomId());
        }
        if (query.eventSender() != null) {
            conditions.add("e.sender = ?");
            args.add(query.eventSender());
        }
        String where = conditions.isEmpty() ? "" : "WHERE " + String.join(" AND ", conditions) + " ";
        String order = query.newestFirst() ? "DESC" : "ASC";
        return Transactions.withConnection(dataSource, c -> {
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM event_reports er "
                    + "LEFT JOIN events e ON e.event_id = er.event_id " + where)) {
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<ListedEventReport> page = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(LISTED + where + "ORDER BY er.received_ts " + order
                    + ", er.id " + order + " LIMIT ? OFFSET ?")) {
                bind(ps, args);
                ps.setInt(args.size() + 1, query.limit());
                ps.setLong(args.size() + 2, query.from());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        page.add(listed(rs));
                    }
                }
            }
            return new EventReportPage(page, total);
        });
    }

    /** One report with its event; empty if there is no such report, or, as in Synapse, its event is gone. */
    public Optional<EventReportDetail> eventReport(long id) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(LISTED.replace(" FROM", ", e.json FROM")
                    + "WHERE er.id = ? AND e.event_id IS NOT NULL")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new EventReportDetail(listed(rs), rs.getBytes(9))) : Optional.empty();
                }
            }
        });
    }

    /** Deletes a report; false if there was none of that id. */
    public boolean deleteEventReport(long id) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM event_reports WHERE id = ?")) {
                ps.setLong(1, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    private static ListedEventReport listed(ResultSet rs) throws SQLException {
        int score = rs.getInt(7);
        Integer scored = rs.wasNull() ? null : score;
        return new ListedEventReport(new EventReport(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), scored), rs.getString(8));
    }

    private static void bind(PreparedStatement ps, List<String> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setString(i + 1, args.get(i));
        }
    }

    private void insert(String sql, long receivedTs, String reporter, String subject, String reason) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, receivedTs);
                ps.setString(2, reporter);
                ps.setString(3, subject);
                ps.setString(4, reason);
                return ps.executeUpdate();
            }
        });
    }

    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> List<T> read(String sql, int limit, Row<T> row) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setInt(1, limit);
                List<T> found = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(row.read(rs));
                    }
                }
                return found;
            }
        });
    }
}
