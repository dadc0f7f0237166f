package org.myelin.storage.accounts;

import org.myelin.storage.Transactions;
import org.myelin.storage.keys.DeviceListOutboundRepository;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Local accounts and their devices (client-server API, "Account registration and
 * management", "Device management"). Tokens live in {@link TokenRepository}; deleting a
 * device deletes its tokens by cascade, which is how a device's sessions are revoked.
 */
public final class AccountRepository {

    private static final String ACCOUNT_COLUMNS = "user_id, password_hash, is_admin, is_guest, deactivated, created_ts";
    private static final String DEVICE_COLUMNS = "user_id, device_id, display_name, last_seen_ts, last_seen_ip";

    private final DataSource dataSource;
    private final TokensRevoked revoked;

    public AccountRepository(DataSource dataSource) {
        this(dataSource, TokensRevoked.NONE);
    }

    /** @param revoked told after each commit that deleted some of a user's tokens */
    public AccountRepository(DataSource dataSource, TokensRevoked revoked) {
        this.dataSource = dataSource;
        this.revoked = revoked;
    }

    /**
     * Creates the account and, if {@code session} is given, its first device and tokens, in one
     * transaction. Returns false, changing nothing, when the user id is taken.
     */
    public boolean register(Account account, NewSession session) {
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (" + ACCOUNT_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING")) {
                ps.setString(1, account.userId());
                ps.setString(2, account.passwordHash());
                ps.setBoolean(3, account.isAdmin());
                ps.setBoolean(4, account.isGuest());
                ps.setBoolean(5, account.deactivated());
                ps.setLong(6, account.createdTs());
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            if (session != null) {
                TokenRepository.startSession(c, session);
            }
            return true;
        });
    }

    public Optional<Account> account(String userId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ACCOUNT_COLUMNS + " FROM users WHERE user_id = ?")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(new Account(rs.getString(1), rs.getString(2), rs.getBoolean(3),
                                    rs.getBoolean(4), rs.getBoolean(5), rs.getLong(6)))
                            : Optional.empty();
                }
            }
        });
    }

    /** Whether the user id is taken (deactivated accounts keep theirs). */
    public boolean exists(String userId) {
        return account(userId).isPresent();
    }

    /**
     * Sets a new password hash. If {@code logoutOthers}, also deletes every other device of the
     * account and every access token except {@code keepTokenId} (the one that asked).
     * Returns the ids of the deleted devices.
     */
    public List<String> changePassword(String userId, String passwordHash, boolean logoutOthers, String keepDeviceId,
                                       long keepTokenId) {
        List<String> deleted = Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE users SET password_hash = ? WHERE user_id = ?")) {
                ps.setString(1, passwordHash);
                ps.setString(2, userId);
                ps.executeUpdate();
            }
            if (!logoutOthers) {
                return List.of();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM access_tokens WHERE user_id = ? AND id <> ?")) {
                ps.setString(1, userId);
                ps.setLong(2, keepTokenId);
                ps.executeUpdate();
            }
            return deleteDevicesWhere(c, "user_id = ? AND device_id <> ?", userId, keepDeviceId);
        });
        if (logoutOthers) {
            revoked.revoked(userId);
        }
        return deleted;
    }

    /**
     * Deactivates the account: flags it, wipes its password and deletes all its devices (and so
     * every token). Returns the ids of the deleted devices.
     */
    public List<String> deactivate(String userId) {
        List<String> deleted = Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE users SET deactivated = TRUE, password_hash = NULL WHERE user_id = ?")) {
                ps.setString(1, userId);
                ps.executeUpdate();
            }
            return deleteDevicesWhere(c, "user_id = ?", userId);
        });
        revoked.revoked(userId);
        return deleted;
    }

    /** The account's devices, ordered by id. */
    public List<Device> devices(String userId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + DEVICE_COLUMNS + " FROM devices WHERE user_id = ? ORDER BY device_id")) {
                ps.setString(1, userId);
                return readDevices(ps);
            }
        });
    }

    public Optional<Device> device(String userId, String deviceId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + DEVICE_COLUMNS + " FROM devices WHERE user_id = ? AND device_id = ?")) {
                ps.setString(1, userId);
                ps.setString(2, deviceId);
                return readDevices(ps).stream().findFirst();
            }
        });
    }

    /**
     * Renames a device; false if the account has no such device. A new name is a change of the
     * user's device list (other devices show it, other servers are told it): {@code changed} gets
     * its position on the device list stream, taken in the same transaction; the same name again
     * changes nothing.
     */
    public boolean renameDevice(String userId, String deviceId, String displayName, LongConsumer changed) {
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT display_name FROM devices WHERE user_id = ? AND device_id = ? FOR UPDATE")) {
                ps.setString(1, userId);
                ps.setString(2, deviceId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    if (displayName.equals(rs.getString(1))) {
                        return true;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE devices SET display_name = ? WHERE user_id = ? AND device_id = ?")) {
                ps.setString(1, displayName);
                ps.setString(2, userId);
                ps.setString(3, deviceId);
                ps.executeUpdate();
            }
            changed.accept(DeviceListOutboundRepository.localChange(c, List.of(userId)));
            return true;
        });
    }

    /** Deletes the given devices and their tokens; returns the ids that existed. */
    public List<String> deleteDevices(String userId, Collection<String> deviceIds) {
        if (deviceIds.isEmpty()) {
            return List.of();
        }
        List<String> deleted = Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM devices WHERE user_id = ? AND device_id = ANY (?) RETURNING device_id")) {
                ps.setString(1, userId);
                ps.setArray(2, c.createArrayOf("text", deviceIds.toArray()));
                return devicesGone(c, userId, readStrings(ps));
            }
        });
        revoked.revoked(userId);
        return deleted;
    }

    /** Deletes every device of the account, and so every token; returns their ids. */
    public List<String> deleteAllDevices(String userId) {
        List<String> deleted = Transactions.inTransaction(dataSource, c -> deleteDevicesWhere(c, "user_id = ?", userId));
        revoked.revoked(userId);
        return deleted;
    }

    /** Records that a token of the device authenticated a request. */
    public void touchDevice(String userId, String deviceId, long ts, String ip) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE devices SET last_seen_ts = ?, last_seen_ip = ? WHERE user_id = ? AND device_id = ?")) {
                ps.setLong(1, ts);
                if (ip == null) {
                    ps.setNull(2, Types.VARCHAR);
                } else {
                    ps.setString(2, ip);
                }
                ps.setString(3, userId);
                ps.setString(4, deviceId);
                return ps.executeUpdate();
            }
        });
    }

    /** Deletes the user's devices matching {@code where}; the first argument is the user id. */
    private static List<String> deleteDevicesWhere(Connection c, String where, String userId, String... more)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM devices WHERE " + where + " RETURNING device_id")) {
            ps.setString(1, userId);
            for (int i = 0; i < more.length; i++) {
                ps.setString(i + 2, more[i]);
            }
            return devicesGone(c, userId, readStrings(ps));
        }
    }

    /**
     * Deleted devices change the user's device list: recorded in the transaction that deleted them,
     * so that other servers are told even if the process stops right after the commit.
     */
    private static List<String> devicesGone(Connection c, String userId, List<String> deleted) throws SQLException {
        if (!deleted.isEmpty()) {
            DeviceListOutboundRepository.localChange(c, List.of(userId));
        }
        return deleted;
    }

    private static List<Device> readDevices(PreparedStatement ps) throws SQLException {
        List<Device> devices = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long seen = rs.getLong(4);
                Long lastSeen = rs.wasNull() ? null : seen;
                devices.add(new Device(rs.getString(1), rs.getString(2), rs.getString(3), lastSeen, rs.getString(5)));
            }
        }
        return devices;
    }

    private static List<String> readStrings(PreparedStatement ps) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
