package org.myelin.storage.streams;

import org.myelin.storage.StorageException;
import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The to-device stream (client-server API, "Send-to-Device messaging"): messages wait per device,
 * in position order, until the device syncs with a token past them.
 */
public final class ToDeviceRepository {

    /** A message for one device; {@code content} is JSON text. */
    public record Message(String userId, String deviceId, String sender, String type, String content, long position) {
    }

    /** A message to queue. */
    public record NewMessage(String userId, String deviceId, String sender, String type, String content) {
    }

    private final DataSource dataSource;

    public ToDeviceRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Queues {@code messages} in one transaction; returns the highest position given (0 if none). */
    public long add(List<NewMessage> messages) {
        if (messages.isEmpty()) {
            return 0;
        }
        return Transactions.inTransaction(dataSource, c -> {
            long last = 0;
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO to_device_messages (stream_position, user_id, device_id, sender, type, content)
                    VALUES (?, ?, ?, ?, ?, ?::jsonb)""")) {
                for (NewMessage m : messages) {
                    last = StreamCounters.next(c, StreamKind.TO_DEVICE);
                    ps.setLong(1, last);
                    ps.setString(2, m.userId());
                    ps.setString(3, m.deviceId());
                    ps.setString(4, m.sender());
                    ps.setString(5, m.type());
                    ps.setString(6, m.content());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return last;
        });
    }

    /** Up to {@code limit} messages for a device with positions in ({@code after}, {@code upTo}], in order. */
    public List<Message> pending(String userId, String deviceId, long after, long upTo, int limit) {
        List<Message> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT user_id, device_id, sender, type, content::text, stream_position FROM to_device_messages
                WHERE user_id = ? AND device_id = ? AND stream_position > ? AND stream_position <= ?
                ORDER BY stream_position LIMIT ?""")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            ps.setLong(3, after);
            ps.setLong(4, upTo);
            ps.setInt(5, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new Message(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getLong(6)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Deletes the device's messages at or below {@code upTo}: the device has acknowledged them. */
    public int acknowledge(String userId, String deviceId, long upTo) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM to_device_messages WHERE user_id = ? AND device_id = ? AND stream_position <= ?")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            ps.setLong(3, upTo);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
