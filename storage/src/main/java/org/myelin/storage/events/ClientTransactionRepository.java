package org.myelin.storage.events;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Client transaction ids (client-server API, "Transaction identifiers"): which event a device's
 * {@code PUT .../{txnId}} made, so that a retry returns the same event, also after a restart.
 */
public final class ClientTransactionRepository {

    /** Where a client transaction happened: one device, one endpoint kind, one room. */
    public record Key(String userId, String deviceId, String roomId, String kind, String txnId) {
    }

    /** The device and transaction id an event was sent with. */
    public record Origin(String userId, String deviceId, String txnId) {
    }

    private final DataSource dataSource;

    public ClientTransactionRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The event this transaction made, if it was seen before. */
    public Optional<String> eventOf(Key key) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT event_id FROM client_transactions
                WHERE user_id = ? AND device_id = ? AND room_id = ? AND kind = ? AND txn_id = ?""")) {
            bind(ps, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Records that {@code key} made {@code eventId}; returns the event recorded for the key, which
     * is {@code eventId} unless another request recorded one first.
     */
    public String record(Key key, String eventId, long nowMillis) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO client_transactions (user_id, device_id, room_id, kind, txn_id, event_id, created_ts)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")) {
            bind(ps, key);
            ps.setString(6, eventId);
            ps.setLong(7, nowMillis);
            if (ps.executeUpdate() == 1) {
                return eventId;
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
        return eventOf(key).orElse(eventId);
    }

    /** The sending device and transaction id of each of {@code eventIds} sent with one. */
    public Map<String, Origin> originsOf(Collection<String> eventIds) {
        Map<String, Origin> found = new HashMap<>();
        if (eventIds.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT event_id, user_id, device_id, txn_id FROM client_transactions WHERE event_id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", eventIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), new Origin(rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private static void bind(PreparedStatement ps, Key key) throws SQLException {
        ps.setString(1, key.userId());
        ps.setString(2, key.deviceId());
        ps.setString(3, key.roomId());
        ps.setString(4, key.kind());
        ps.setString(5, key.txnId());
    }
}
