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
import java.util.OptionalLong;

/**
 * Cross-signing keys and the signatures uploaded for keys (client-server API, "Cross-signing"):
 * each user's current master, self-signing and user-signing key, and checked signatures on
 * devices and master keys.
 */
public final class CrossSigningRepository {

    /** A stored cross-signing key: {@code keyType} is master, self_signing or user_signing. */
    public record StoredKey(String userId, String keyType, String keyId, String keyJson) {
    }

    /** A key to store. */
    public record NewKey(String keyType, String keyId, String keyJson) {
    }

    /**
     * A signature by {@code signerKeyId} of {@code signerUserId} on a device or master key
     * ({@code targetId}: a device id or the master key's public key) of {@code targetUserId}.
     */
    public record Signature(String targetUserId, String targetId, String signerUserId, String signerKeyId,
                            String signature) {
    }

    private final DataSource dataSource;

    public CrossSigningRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The cross-signing keys of {@code userIds}, by user and then by key type. */
    public Map<String, Map<String, StoredKey>> keys(Collection<String> userIds) {
        Map<String, Map<String, StoredKey>> found = new HashMap<>();
        if (userIds.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT user_id, key_type, key_id, key_json FROM e2e_cross_signing_keys WHERE user_id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", userIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    StoredKey key = new StoredKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4));
                    found.computeIfAbsent(key.userId(), u -> new HashMap<>()).put(key.keyType(), key);
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Stores {@code keys} of {@code userId}, replacing those of the same types, and records the
     * change of the user's device list; its position (empty when {@code keys} is empty).
     */
    public OptionalLong store(String userId, List<NewKey> keys, long now) {
        if (keys.isEmpty()) {
            return OptionalLong.empty();
        }
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO e2e_cross_signing_keys (user_id, key_type, key_id, key_json, ts_added_ms)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (user_id, key_type) DO UPDATE SET key_id = EXCLUDED.key_id,
                        key_json = EXCLUDED.key_json, ts_added_ms = EXCLUDED.ts_added_ms""")) {
                for (NewKey key : keys) {
                    ps.setString(1, userId);
                    ps.setString(2, key.keyType());
                    ps.setString(3, key.keyId());
                    ps.setString(4, key.keyJson());
                    ps.setLong(5, now);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return OptionalLong.of(DeviceListOutboundRepository.localChange(c, List.of(userId)));
        });
    }

    /**
     * Stores checked signatures (a newer signature by the same key replaces the older one) and
     * records that the device lists of {@code changedUsers} changed; the position, or empty when
     * there was nothing to store.
     */
    public OptionalLong storeSignatures(List<Signature> signatures, Collection<String> changedUsers) {
        if (signatures.isEmpty()) {
            return OptionalLong.empty();
        }
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO e2e_cross_signing_signatures
                        (target_user_id, target_id, signer_user_id, signer_key_id, signature)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (target_user_id, target_id, signer_user_id, signer_key_id)
                    DO UPDATE SET signature = EXCLUDED.signature""")) {
                for (Signature s : signatures) {
                    ps.setString(1, s.targetUserId());
                    ps.setString(2, s.targetId());
                    ps.setString(3, s.signerUserId());
                    ps.setString(4, s.signerKeyId());
                    ps.setString(5, s.signature());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return OptionalLong.of(DeviceListOutboundRepository.localChange(c, changedUsers));
        });
    }

    /**
     * The signatures on the keys of {@code targetUserIds} that {@code viewer} may see: those each
     * target user made on their own keys, and those {@code viewer} made (a user-signing key's
     * signature of another user's master key is for the signer's eyes only).
     */
    public List<Signature> signaturesOn(Collection<String> targetUserIds, String viewer) {
        List<Signature> found = new ArrayList<>();
        if (targetUserIds.isEmpty()) {
            return found;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT target_user_id, target_id, signer_user_id, signer_key_id, signature
                FROM e2e_cross_signing_signatures
                WHERE target_user_id = ANY(?) AND (signer_user_id = target_user_id OR signer_user_id = ?)""")) {
            ps.setArray(1, c.createArrayOf("text", targetUserIds.toArray()));
            ps.setString(2, viewer);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new Signature(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
