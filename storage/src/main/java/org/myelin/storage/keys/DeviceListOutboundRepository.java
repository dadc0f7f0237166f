package org.myelin.storage.keys;

import org.myelin.storage.StorageException;
import org.myelin.storage.Transactions;
import org.myelin.storage.federation.OutboundQueueRepository;
import org.myelin.storage.federation.OutboundQueueRepository.QueuedEdu;
import org.myelin.storage.streams.DeviceListRepository;

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
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What other servers were told of each local user's device list (server-server API, "Device
 * Management"): the user's sequence of {@code m.device_list_update} EDUs and the devices and
 * cross-signing keys they described. Every change of a local user's list is recorded with
 * {@link #localChange}, which also marks the user as still to be told ({@link #pendingUsers});
 * {@link #publish} compares the current list with the last one told and, in one transaction,
 * records the new one, queues the EDUs telling it (each update with its {@code stream_id} and
 * {@code prev_id}) and clears the mark. A crash anywhere in between loses nothing: the mark stays,
 * and the next start tells the user.
 */
public final class DeviceListOutboundRepository {

    /** A device as told: its keys (canonical JSON, without {@code unsigned}) and display name. */
    public record SentDevice(String keysJson, String displayName) {
    }

    /** A user's device list: device id → device, and the cross-signing keys (canonical JSON, null if none). */
    public record Snapshot(Map<String, SentDevice> devices, String masterKey, String selfSigningKey) {
    }

    /**
     * One {@code m.device_list_update} to send.
     *
     * @param prevId the stream id of the update before it, null for the user's first
     * @param device null when deleted
     */
    public record DeviceUpdate(String deviceId, long streamId, Long prevId, SentDevice device) {
        public boolean deleted() {
            return device == null;
        }
    }

    /** What changed since the last time: device updates in order, and whether the cross-signing keys changed. */
    public record Published(List<DeviceUpdate> devices, boolean signingKeysChanged, String masterKey,
                            String selfSigningKey) {
    }

    private final DataSource dataSource;

    public DeviceListOutboundRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records, in the caller's transaction, that the device lists of {@code localUsers} changed: on
     * the device list stream (their room-mates' /sync) and as still to be told to other servers.
     * Every writer of a local user's devices, device keys or cross-signing keys calls this in the
     * transaction of its change. The position.
     */
    public static long localChange(Connection c, Collection<String> localUsers) throws SQLException {
        long position = DeviceListRepository.changed(c, localUsers);
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO device_list_outbound_pending (user_id, stream_position) VALUES (?, ?)
                ON CONFLICT (user_id) DO UPDATE SET stream_position = GREATEST(
                    device_list_outbound_pending.stream_position, EXCLUDED.stream_position),
                    changes = device_list_outbound_pending.changes + 1""")) {
            for (String user : localUsers) {
                ps.setString(1, user);
                ps.setLong(2, position);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return position;
    }

    /** The local users whose device list changed since other servers were last told of it. */
    public List<String> pendingUsers() {
        return Transactions.withConnection(dataSource, c -> {
            List<String> users = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT user_id FROM device_list_outbound_pending ORDER BY stream_position");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    users.add(rs.getString(1));
                }
            }
            return users;
        });
    }

    /**
     * Compares {@code current} (read while the user's row is locked, so that two changes at once
     * are told in the order they read the list) with what was last told, and in one transaction
     * records the new list, queues the EDUs {@code edus} makes of the changes, and clears the
     * user's mark of {@link #localChange} unless a later change came meanwhile.
     */
    public Published publish(String userId, Supplier<Snapshot> current, Function<Published, List<QueuedEdu>> edus,
                             long queuedAt) {
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO device_list_outbound_users (user_id, stream_id) VALUES (?, 0) ON CONFLICT DO NOTHING")) {
                ps.setString(1, userId);
                ps.executeUpdate();
            }
            long last;
            String oldMaster;
            String oldSelfSigning;
            try (PreparedStatement ps = c.prepareStatement("SELECT stream_id, master_key, self_signing_key "
                    + "FROM device_list_outbound_users WHERE user_id = ? FOR UPDATE")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    last = rs.getLong(1);
                    oldMaster = rs.getString(2);
                    oldSelfSigning = rs.getString(3);
                }
            }
            // Read before the list: the mark is removed below only if no change came after this
            // (a change's transaction never waits for this one, which reads through another).
            long changesRead = pendingChanges(c, userId);
            Map<String, SentDevice> old = devices(c, userId);
            Snapshot now = current.get();
            TreeSet<String> ids = new TreeSet<>(old.keySet());
            ids.addAll(now.devices().keySet());
            List<DeviceUpdate> updates = new ArrayList<>();
            for (String id : ids) {
                SentDevice before = old.get(id);
                SentDevice after = now.devices().get(id);
                if (Objects.equals(before, after)) {
                    continue;
                }
                long streamId = next(c);
                updates.add(new DeviceUpdate(id, streamId, last == 0 ? null : last, after));
                last = streamId;
                store(c, userId, id, after);
            }
            boolean signing = !Objects.equals(oldMaster, now.masterKey())
                    || !Objects.equals(oldSelfSigning, now.selfSigningKey());
            try (PreparedStatement ps = c.prepareStatement("UPDATE device_list_outbound_users "
                    + "SET stream_id = ?, master_key = ?, self_signing_key = ? WHERE user_id = ?")) {
                ps.setLong(1, last);
                ps.setString(2, now.masterKey());
                ps.setString(3, now.selfSigningKey());
                ps.setString(4, userId);
                ps.executeUpdate();
            }
            Published published = new Published(updates, signing, now.masterKey(), now.selfSigningKey());
            if (!updates.isEmpty() || signing) {
                OutboundQueueRepository.enqueueEdus(c, edus.apply(published), queuedAt);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM device_list_outbound_pending WHERE user_id = ? AND changes = ?")) {
                ps.setString(1, userId);
                ps.setLong(2, changesRead);
                ps.executeUpdate();
            }
            return published;
        });
    }

    /** The stream id of the last update told of the user's device list, 0 if none. */
    public long streamId(String userId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT stream_id FROM device_list_outbound_users WHERE user_id = ?")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** How many changes of the user are marked not yet told, 0 if none. */
    private static long pendingChanges(Connection c, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT changes FROM device_list_outbound_pending WHERE user_id = ?")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static Map<String, SentDevice> devices(Connection c, String userId) throws SQLException {
        Map<String, SentDevice> found = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT device_id, keys_json, display_name FROM device_list_outbound_devices WHERE user_id = ?")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), new SentDevice(rs.getString(2), rs.getString(3)));
                }
            }
        }
        return found;
    }

    private static long next(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT nextval('device_list_outbound_stream')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void store(Connection c, String userId, String deviceId, SentDevice device) throws SQLException {
        if (device == null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM device_list_outbound_devices WHERE user_id = ? AND device_id = ?")) {
                ps.setString(1, userId);
                ps.setString(2, deviceId);
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO device_list_outbound_devices (user_id, device_id, keys_json, display_name)
                VALUES (?, ?, ?, ?) ON CONFLICT (user_id, device_id)
                DO UPDATE SET keys_json = EXCLUDED.keys_json, display_name = EXCLUDED.display_name""")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            ps.setString(3, device.keysJson());
            ps.setString(4, device.displayName());
            ps.executeUpdate();
        }
    }
}
