package org.myelin.storage.streams;

import org.myelin.storage.StorageException;
import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The device list stream (client-server API, "Tracking the device list for a user"): which users'
 * devices or keys changed, by position.
 */
public final class DeviceListRepository {

    private final DataSource dataSource;

    public DeviceListRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records that the device lists of {@code userIds} changed; returns the new position. */
    public long changed(Collection<String> userIds) {
        return Transactions.inTransaction(dataSource, c -> changed(c, userIds));
    }

    /**
     * Records, in the caller's transaction, that the device lists of {@code userIds} changed; the
     * new position. For writers that store the change itself (device keys, cross-signing keys) in
     * the same transaction, so a crash cannot keep the one without the other.
     */
    public static long changed(Connection c, Collection<String> userIds) throws SQLException {
        long position = StreamCounters.next(c, StreamKind.DEVICE_LISTS);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO device_list_changes (stream_position, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            for (String user : userIds) {
                ps.setLong(1, position);
                ps.setString(2, user);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return position;
    }

    /** The users whose device lists changed at positions in ({@code after}, {@code upTo}]. */
    public Set<String> changedBetween(long after, long upTo) {
        Set<String> users = new LinkedHashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT user_id FROM device_list_changes WHERE stream_position > ? AND stream_position <= ?
                ORDER BY user_id""")) {
            ps.setLong(1, after);
            ps.setLong(2, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    users.add(rs.getString(1));
                }
            }
            return users;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
