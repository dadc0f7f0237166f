package org.myelin.storage.reports;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

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
