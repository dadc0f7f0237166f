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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One-time keys and fallback keys of local devices (client-server API, "One-time and fallback
 * keys"). A claim takes a key out with one statement that deletes and returns it, skipping rows
 * another claim holds, so no key is ever handed out twice, whatever claims run at once.
 */
public final class OneTimeKeyRepository {

    /** A key to store: {@code algorithm:keyId} and its JSON (a string or a key object) as canonical JSON. */
    public record NewKey(String algorithm, String keyId, String keyJson) {
    }

    /** One device's key of one algorithm to claim. */
    public record Claim(String userId, String deviceId, String algorithm) {
    }

    /** A claimed key: {@code fallback} when it is the device's fallback key. */
    public record ClaimedKey(Claim claim, String keyId, String keyJson, boolean fallback) {
    }

    /**
     * What /sync tells a device about its keys.
     *
     * @param oneTimeKeys      unclaimed one-time keys per algorithm
     * @param unusedFallbacks  algorithms of fallback keys not handed out yet, sorted
     */
    public record Counts(Map<String, Integer> oneTimeKeys, List<String> unusedFallbacks) {
        public static final Counts NONE = new Counts(Map.of(), List.of());
    }

    /** The one-time key algorithm of Olm (client-server API, "Key algorithms"). */
    public static final String SIGNED_CURVE25519 = "signed_curve25519";

    private final DataSource dataSource;

    public OneTimeKeyRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The stored JSON of those of {@code keys} the device has already, by {@code algorithm:keyId}. */
    public Map<String, String> existing(String userId, String deviceId, Collection<NewKey> keys) {
        Map<String, String> found = new HashMap<>();
        if (keys.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT algorithm, key_id, key_json FROM e2e_one_time_keys
                WHERE user_id = ? AND device_id = ? AND key_id = ANY(?)""")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            ps.setArray(3, c.createArrayOf("text", keys.stream().map(NewKey::keyId).distinct().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1) + ":" + rs.getString(2), rs.getString(3));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Adds the device's one-time keys; a key it has already is left as it is. */
    public void add(String userId, String deviceId, Collection<NewKey> keys, long now) {
        if (keys.isEmpty()) {
            return;
        }
        Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO e2e_one_time_keys (user_id, device_id, algorithm, key_id, key_json, ts_added_ms)
                    SELECT d.user_id, d.device_id, ?, ?, ?, ? FROM devices d WHERE d.user_id = ? AND d.device_id = ?
                    ON CONFLICT (user_id, device_id, algorithm, key_id) DO NOTHING""")) {
                for (NewKey key : keys) {
                    ps.setString(1, key.algorithm());
                    ps.setString(2, key.keyId());
                    ps.setString(3, key.keyJson());
                    ps.setLong(4, now);
                    ps.setString(5, userId);
                    ps.setString(6, deviceId);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * Sets the device's fallback keys, one per algorithm. A key identical to the stored one keeps
     * its {@code used} mark (a client re-uploading it does not make it fresh); another replaces
     * it, unused.
     */
    public void setFallbacks(String userId, String deviceId, Collection<NewKey> keys) {
        if (keys.isEmpty()) {
            return;
        }
        Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO e2e_fallback_keys (user_id, device_id, algorithm, key_id, key_json, used)
                    SELECT d.user_id, d.device_id, ?, ?, ?, FALSE FROM devices d WHERE d.user_id = ? AND d.device_id = ?
                    ON CONFLICT (user_id, device_id, algorithm) DO UPDATE
                        SET key_id = EXCLUDED.key_id, key_json = EXCLUDED.key_json, used = FALSE
                    WHERE e2e_fallback_keys.key_id <> EXCLUDED.key_id
                       OR e2e_fallback_keys.key_json <> EXCLUDED.key_json""")) {
                for (NewKey key : keys) {
                    ps.setString(1, key.algorithm());
                    ps.setString(2, key.keyId());
                    ps.setString(3, key.keyJson());
                    ps.setString(4, userId);
                    ps.setString(5, deviceId);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * The device's unclaimed one-time keys per algorithm and its unused fallback key algorithms, in
     * one query. {@code signed_curve25519} is always counted, 0 when there is none, as Synapse
     * counts it: clients take a missing count for "unknown" rather than "none left".
     */
    public Counts counts(String userId, String deviceId) {
        Map<String, Integer> oneTime = new TreeMap<>();
        oneTime.put(SIGNED_CURVE25519, 0);
        List<String> unused = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT algorithm, COUNT(*)::int, FALSE FROM e2e_one_time_keys
                WHERE user_id = ? AND device_id = ? GROUP BY algorithm
                UNION ALL
                SELECT algorithm, 0, TRUE FROM e2e_fallback_keys WHERE user_id = ? AND device_id = ? AND NOT used""")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            ps.setString(3, userId);
            ps.setString(4, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(3)) {
                        unused.add(rs.getString(1));
                    } else {
                        oneTime.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
        unused.sort(null);
        return new Counts(oneTime, unused);
    }

    /**
     * Claims one key per request: the device's oldest one-time key of the algorithm, or when none
     * is left its fallback key, which is then marked used. Requests nothing answers are left out.
     */
    public List<ClaimedKey> claim(List<Claim> claims) {
        List<ClaimedKey> claimed = new ArrayList<>();
        if (claims.isEmpty()) {
            return claimed;
        }
        return Transactions.inTransaction(dataSource, c -> {
            for (Claim claim : claims) {
                oneTimeKey(c, claim).or(() -> fallbackKey(c, claim)).ifPresent(claimed::add);
            }
            return claimed;
        });
    }

    private static Optional<ClaimedKey> oneTimeKey(Connection c, Claim claim) throws SQLException {
        // One statement: the row is locked by the inner SELECT, skipped by any other claim
        // that runs at the same time, and deleted before the lock is released.
        try (PreparedStatement ps = c.prepareStatement("""
                DELETE FROM e2e_one_time_keys WHERE id = (
                    SELECT id FROM e2e_one_time_keys WHERE user_id = ? AND device_id = ? AND algorithm = ?
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING key_id, key_json""")) {
            ps.setString(1, claim.userId());
            ps.setString(2, claim.deviceId());
            ps.setString(3, claim.algorithm());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new ClaimedKey(claim, rs.getString(1), rs.getString(2), false))
                        : Optional.empty();
            }
        }
    }

    private static Optional<ClaimedKey> fallbackKey(Connection c, Claim claim) {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE e2e_fallback_keys SET used = TRUE WHERE user_id = ? AND device_id = ? AND algorithm = ?
                RETURNING key_id, key_json""")) {
            ps.setString(1, claim.userId());
            ps.setString(2, claim.deviceId());
            ps.setString(3, claim.algorithm());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new ClaimedKey(claim, rs.getString(1), rs.getString(2), true))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
