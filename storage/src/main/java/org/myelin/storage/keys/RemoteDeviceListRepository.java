package org.myelin.storage.keys;

import org.myelin.storage.Transactions;
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
import java.util.OptionalLong;

/**
 * The cached device lists of remote users (server-server API, "Device Management"): filled by a
 * resync ({@code GET /user/devices}), kept current by {@code m.device_list_update} and
 * {@code m.signing_key_update} EDUs. Each change is recorded on the device list stream in the same
 * transaction, so local room-mates' /sync reports the user under {@code device_lists.changed}.
 */
public final class RemoteDeviceListRepository {

    /** A remote device: its keys (canonical JSON) and display name (null if none). */
    public record RemoteDevice(String deviceId, String keysJson, String displayName) {
    }

    /** A remote user's cached device list; the cross-signing keys are canonical JSON or null. */
    public record CachedList(String userId, long streamId, List<RemoteDevice> devices, String masterKey,
                             String selfSigningKey) {
    }

    /** What became of one device list update. */
    public enum Outcome {
        /** Applied (or seen before). */
        APPLIED,
        /** Its {@code prev_id} names an update we have not seen: the user must be resynced. */
        GAP,
        /** The user's list is not cached: a resync fetches it. */
        NOT_CACHED
    }

    private final DataSource dataSource;

    public RemoteDeviceListRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The cached lists of those of {@code userIds} that are cached. */
    public Map<String, CachedList> cached(Collection<String> userIds) {
        Map<String, CachedList> found = new HashMap<>();
        if (userIds.isEmpty()) {
            return found;
        }
        return Transactions.withConnection(dataSource, c -> {
            Map<String, List<RemoteDevice>> devices = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT user_id, device_id, keys_json, display_name "
                    + "FROM remote_devices WHERE user_id = ANY(?) ORDER BY user_id, device_id")) {
                ps.setArray(1, c.createArrayOf("text", userIds.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        devices.computeIfAbsent(rs.getString(1), u -> new ArrayList<>())
                                .add(new RemoteDevice(rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT user_id, stream_id, master_key, self_signing_key "
                    + "FROM remote_device_list_users WHERE user_id = ANY(?)")) {
                ps.setArray(1, c.createArrayOf("text", userIds.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String user = rs.getString(1);
                        found.put(user, new CachedList(user, rs.getLong(2), devices.getOrDefault(user, List.of()),
                                rs.getString(3), rs.getString(4)));
                    }
                }
            }
            return found;
        });
    }

    /**
     * Applies one {@code m.device_list_update} ({@code keysJson} null when the device was
     * deleted) if every one of {@code prevIds} was seen; {@code changed} receives the device list
     * stream position when the list changed.
     */
    public Outcome apply(String userId, String deviceId, long streamId, List<Long> prevIds, String keysJson,
                         String displayName, java.util.function.LongConsumer changed) {
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM remote_device_list_users WHERE user_id = ? FOR UPDATE")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Outcome.NOT_CACHED;
                    }
                }
            }
            List<Long> wanted = new ArrayList<>(prevIds);
            wanted.add(streamId);
            List<Long> seen = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT stream_id FROM remote_device_list_seen "
                    + "WHERE user_id = ? AND stream_id = ANY(?)")) {
                ps.setString(1, userId);
                ps.setArray(2, c.createArrayOf("bigint", wanted.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        seen.add(rs.getLong(1));
                    }
                }
            }
            if (seen.contains(streamId)) {
                return Outcome.APPLIED; // a repeat: it was applied, or the resync that covered it was
            }
            if (!seen.containsAll(prevIds)) {
                return Outcome.GAP;
            }
            if (keysJson == null) {
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM remote_devices WHERE user_id = ? AND device_id = ?")) {
                    ps.setString(1, userId);
                    ps.setString(2, deviceId);
                    ps.executeUpdate();
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO remote_devices (user_id, device_id, keys_json, display_name) VALUES (?, ?, ?, ?)
                        ON CONFLICT (user_id, device_id)
                        DO UPDATE SET keys_json = EXCLUDED.keys_json, display_name = EXCLUDED.display_name""")) {
                    ps.setString(1, userId);
                    ps.setString(2, deviceId);
                    ps.setString(3, keysJson);
                    ps.setString(4, displayName);
                    ps.executeUpdate();
                }
            }
            seen(c, userId, streamId);
            try (PreparedStatement ps = c.prepareStatement("UPDATE remote_device_list_users "
                    + "SET stream_id = GREATEST(stream_id, ?) WHERE user_id = ?")) {
                ps.setLong(1, streamId);
                ps.setString(2, userId);
                ps.executeUpdate();
            }
            changed.accept(DeviceListRepository.changed(c, List.of(userId)));
            return Outcome.APPLIED;
        });
    }

    /** Replaces the cached list of {@code list.userId()} with a freshly fetched one; the device list stream position. */
    public long replace(CachedList list, long now) {
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM remote_device_list_users WHERE user_id = ?")) {
                ps.setString(1, list.userId());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO remote_device_list_users "
                    + "(user_id, stream_id, master_key, self_signing_key, ts_synced_ms) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, list.userId());
                ps.setLong(2, list.streamId());
                ps.setString(3, list.masterKey());
                ps.setString(4, list.selfSigningKey());
                ps.setLong(5, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO remote_devices "
                    + "(user_id, device_id, keys_json, display_name) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                for (RemoteDevice d : list.devices()) {
                    ps.setString(1, list.userId());
                    ps.setString(2, d.deviceId());
                    ps.setString(3, d.keysJson());
                    ps.setString(4, d.displayName());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            seen(c, list.userId(), list.streamId());
            return DeviceListRepository.changed(c, List.of(list.userId()));
        });
    }

    /**
     * Replaces the cached cross-signing keys of a cached user ({@code m.signing_key_update}; a null
     * key is left as it was); the device list stream position, empty if the user is not cached.
     */
    public OptionalLong signingKeys(String userId, String masterKey, String selfSigningKey) {
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE remote_device_list_users SET "
                    + "master_key = COALESCE(?, master_key), self_signing_key = COALESCE(?, self_signing_key) "
                    + "WHERE user_id = ?")) {
                ps.setString(1, masterKey);
                ps.setString(2, selfSigningKey);
                ps.setString(3, userId);
                if (ps.executeUpdate() == 0) {
                    return OptionalLong.empty();
                }
            }
            return OptionalLong.of(DeviceListRepository.changed(c, List.of(userId)));
        });
    }

    /** Stops caching the user's list (we share no room with them any more). */
    public void forget(String userId) {
        Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM remote_device_list_users WHERE user_id = ?")) {
                ps.setString(1, userId);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Stops caching the lists of those of {@code userIds} (all cached users when null) who share no
     * room with a user of {@code localServer} any more, as Synapse stops tracking a remote user
     * (its {@code device_lists_remote_extremeties} row removed) once the last shared room is gone:
     * their server no longer tells us of changes, so the cache would go stale. The users forgotten.
     */
    public List<String> forgetUnshared(Collection<String> userIds, String localServer) {
        if (userIds != null && userIds.isEmpty()) {
            return List.of();
        }
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    DELETE FROM remote_device_list_users u
                    WHERE (?::text[] IS NULL OR u.user_id = ANY(?::text[])) AND NOT EXISTS (
                        SELECT 1 FROM room_memberships theirs
                        JOIN room_memberships ours ON ours.room_id = theirs.room_id
                        WHERE theirs.user_id = u.user_id AND theirs.membership = 'join' AND ours.membership = 'join'
                          AND substring(ours.user_id from position(':' in ours.user_id) + 1) = ?)
                    RETURNING u.user_id""")) {
                java.sql.Array users = userIds == null ? null : c.createArrayOf("text", userIds.toArray());
                ps.setArray(1, users);
                ps.setArray(2, users);
                ps.setString(3, localServer);
                List<String> forgotten = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        forgotten.add(rs.getString(1));
                    }
                }
                return forgotten;
            }
        });
    }

    private static void seen(Connection c, String userId, long streamId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO remote_device_list_seen (user_id, stream_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, userId);
            ps.setLong(2, streamId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM remote_device_list_seen WHERE user_id = ? AND stream_id < ("
                        + "SELECT stream_id FROM remote_device_list_seen WHERE user_id = ? "
                        + "ORDER BY stream_id DESC OFFSET ? LIMIT 1)")) {
            ps.setString(1, userId);
            ps.setString(2, userId);
            ps.setInt(3, SEEN_KEPT - 1);
            ps.executeUpdate();
        }
    }

    /** How many of a user's latest stream ids are kept as seen: an update following an older one is a gap, closed by a resync. */
    static final int SEEN_KEPT = 100;

}
