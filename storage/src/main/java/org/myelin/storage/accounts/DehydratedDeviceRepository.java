package org.myelin.storage.accounts;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Each user's dehydrated device (MSC3814): a row of {@code devices} with no access token, and
 * beside it the client's encrypted {@code device_data}. Everything else about it (its keys, its
 * to-device messages) is what any device has, and goes with its {@code devices} row.
 */
public final class DehydratedDeviceRepository {

    /** A user's dehydrated device: its id and its {@code device_data} as JSON text. */
    public record DehydratedDevice(String deviceId, String deviceData) {
    }

    /** What {@link #replace} did. */
    public sealed interface Replacement {
        /** The new device is stored; {@code previousDeviceId} is the one it replaced (deleted), or null. */
        record Stored(String previousDeviceId) implements Replacement {
        }

        /** Another device of the user (one that is not the dehydrated device) has the id: nothing changed. */
        record DeviceIdInUse() implements Replacement {
        }
    }

    private final DataSource dataSource;
    private final TokensRevoked revoked;

    /** @param revoked told after a commit that deleted a device (someone may have logged in on it) */
    public DehydratedDeviceRepository(DataSource dataSource, TokensRevoked revoked) {
        this.dataSource = dataSource;
        this.revoked = revoked;
    }

    public Optional<DehydratedDevice> find(String userId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT device_id, device_data FROM dehydrated_devices WHERE user_id = ?")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new DehydratedDevice(rs.getString(1), rs.getString(2)))
                            : Optional.empty();
                }
            }
        });
    }

    /**
     * Makes {@code deviceId} the user's dehydrated device, in one transaction: the previous one, if
     * any, is deleted with all it had (keys, waiting to-device messages, tokens); the new device is
     * created with {@code displayName} and no token. The user's row is locked meanwhile, so that two
     * replacements at once leave one dehydrated device, not two devices.
     */
    public Replacement replace(String userId, String deviceId, String displayName, String deviceData) {
        Replacement replacement = Transactions.inTransaction(dataSource, c -> {
            lockUser(c, userId);
            String previous = current(c, userId);
            if (!deviceId.equals(previous) && deviceExists(c, userId, deviceId)) {
                return new Replacement.DeviceIdInUse();
            }
            if (previous != null) {
                update(c, "DELETE FROM devices WHERE user_id = ? AND device_id = ?", userId, previous);
            }
            update(c, "INSERT INTO devices (user_id, device_id, display_name) VALUES (?, ?, ?)",
                    userId, deviceId, displayName);
            update(c, "INSERT INTO dehydrated_devices (user_id, device_id, device_data) VALUES (?, ?, ?)",
                    userId, deviceId, deviceData);
            return new Replacement.Stored(previous);
        });
        if (replacement instanceof Replacement.Stored(String previous) && previous != null) {
            revoked.revoked(userId);
        }
        return replacement;
    }

    /** Deletes the user's dehydrated device with all it had; its id, or empty when there was none. */
    public Optional<String> delete(String userId) {
        Optional<String> deleted = Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    DELETE FROM devices d USING dehydrated_devices h
                    WHERE h.user_id = ? AND d.user_id = h.user_id AND d.device_id = h.device_id
                    RETURNING d.device_id""")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
        if (deleted.isPresent()) {
            revoked.revoked(userId);
        }
        return deleted;
    }

    private static void lockUser(Connection c, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM users WHERE user_id = ? FOR NO KEY UPDATE")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("no such account: " + userId);
                }
            }
        }
    }

    private static String current(Connection c, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT device_id FROM dehydrated_devices WHERE user_id = ?")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static boolean deviceExists(Connection c, String userId, String deviceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM devices WHERE user_id = ? AND device_id = ?")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void update(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }
}
