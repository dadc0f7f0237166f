package org.myelin.storage.keys;

import org.myelin.storage.StorageException;
import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The identity keys of local devices (client-server API, "Device keys"), as the devices uploaded
 * them. Each change is recorded on the device list stream in the same transaction.
 */
public final class DeviceKeyRepository {

    /**
     * A device's keys as stored.
     *
     * @param displayName the device's display name, null if it has none
     */
    public record StoredDeviceKeys(String userId, String deviceId, String keyJson, String displayName) {
    }

    private final DataSource dataSource;

    public DeviceKeyRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The device's keys (canonical JSON), if it uploaded any. */
    public Optional<String> keys(String userId, String deviceId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT key_json FROM e2e_device_keys WHERE user_id = ? AND device_id = ?")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** What {@link #store} did. */
    public sealed interface StoreResult {
        /** The keys were stored; the position of the device list change. */
        record Changed(long position) implements StoreResult {
        }

        /** The device has exactly these keys already, or is gone. */
        record Unchanged() implements StoreResult {
        }

        /** The device has other keys, which {@code mayReplace} would not let these replace. */
        record Refused() implements StoreResult {
        }
    }

    /**
     * Stores the device's keys unless it has exactly these already, and records the change of the
     * user's device list. Keys the device has already are replaced only when {@code mayReplace}
     * (given the stored JSON) allows it; the stored row is locked meanwhile, so two uploads cannot
     * both pass the check.
     */
    public StoreResult store(String userId, String deviceId, String keyJson, long now, Predicate<String> mayReplace) {
        return Transactions.inTransaction(dataSource, c -> {
            String old = null;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT key_json FROM e2e_device_keys WHERE user_id = ? AND device_id = ? FOR UPDATE")) {
                ps.setString(1, userId);
                ps.setString(2, deviceId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        old = rs.getString(1);
                    }
                }
            }
            if (keyJson.equals(old)) {
                return new StoreResult.Unchanged();
            }
            if (old != null && !mayReplace.test(old)) {
                return new StoreResult.Refused();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO e2e_device_keys (user_id, device_id, key_json, ts_added_ms)
                    SELECT d.user_id, d.device_id, ?, ? FROM devices d WHERE d.user_id = ? AND d.device_id = ?
                    ON CONFLICT (user_id, device_id) DO UPDATE SET key_json = EXCLUDED.key_json,
                        ts_added_ms = EXCLUDED.ts_added_ms
                    WHERE e2e_device_keys.key_json = ?""")) {
                ps.setString(1, keyJson);
                ps.setLong(2, now);
                ps.setString(3, userId);
                ps.setString(4, deviceId);
                ps.setString(5, old == null ? keyJson : old); // a row that appeared meanwhile is left alone
                if (ps.executeUpdate() == 0) {
                    return new StoreResult.Unchanged();
                }
            }
            return new StoreResult.Changed(DeviceListOutboundRepository.localChange(c, List.of(userId)));
        });
    }

    /**
     * The keys of the devices asked for, by user: an empty list of devices means all of the user's
     * devices. Devices without keys are left out.
     */
    public List<StoredDeviceKeys> query(Map<String, List<String>> devicesByUser) {
        // Two branches, not one OR: PostgreSQL cannot use an index for "user_id = ANY(…) OR (user,
        // device) IN (…)", and for a 1,000-member room the OR form cost 34 ms a query (KeysLoad).
        List<String> allOf = new ArrayList<>();
        List<String> pairUsers = new ArrayList<>();
        List<String> pairDevices = new ArrayList<>();
        devicesByUser.forEach((user, devices) -> {
            if (devices.isEmpty()) {
                allOf.add(user);
            } else {
                for (String device : devices) {
                    pairUsers.add(user);
                    pairDevices.add(device);
                }
            }
        });
        List<StoredDeviceKeys> found = new ArrayList<>();
        if (allOf.isEmpty() && pairUsers.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT k.user_id, k.device_id, k.key_json, d.display_name
                FROM e2e_device_keys k JOIN devices d ON d.user_id = k.user_id AND d.device_id = k.device_id
                WHERE k.user_id = ANY(?)
                UNION ALL
                SELECT k.user_id, k.device_id, k.key_json, d.display_name
                FROM unnest(?::text[], ?::text[]) AS asked (user_id, device_id)
                JOIN e2e_device_keys k ON k.user_id = asked.user_id AND k.device_id = asked.device_id
                JOIN devices d ON d.user_id = k.user_id AND d.device_id = k.device_id
                ORDER BY 1, 2""")) {
            ps.setArray(1, c.createArrayOf("text", allOf.toArray()));
            ps.setArray(2, c.createArrayOf("text", pairUsers.toArray()));
            ps.setArray(3, c.createArrayOf("text", pairDevices.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new StoredDeviceKeys(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * The devices of {@code userId} were deleted (their keys and one-time keys went with them):
     * drops the signatures on them and records the change of the user's device list; its position.
     */
    public long devicesDeleted(String userId, Collection<String> deviceIds) {
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM e2e_cross_signing_signatures WHERE target_user_id = ? AND target_id = ANY(?)")) {
                ps.setString(1, userId);
                ps.setArray(2, c.createArrayOf("text", deviceIds.toArray()));
                ps.executeUpdate();
            }
            return DeviceListOutboundRepository.localChange(c, List.of(userId));
        });
    }
}
