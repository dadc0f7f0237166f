package org.myelin.storage.federation;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Signing keys: this server's own (the one in use and those it replaced), and other servers'
 * keys with the signed documents they came in (server-server API, "Retrieving server keys").
 */
public final class ServerKeyRepository {

    /** One of our keys; {@code expiredTs} is null for the key in use. */
    public record LocalKey(String keyId, String publicKey, long addedTs, Long expiredTs) {
    }

    /**
     * A remote server's key as learnt.
     *
     * @param validUntilTs the {@code valid_until_ts} of the document it came in
     * @param expiredTs    for a key under {@code old_verify_keys}: when the server stopped using it; else null
     * @param document     the key document, canonical JSON, as its server signed it
     */
    public record RemoteKey(String serverName, String keyId, String publicKey, long validUntilTs, Long expiredTs,
                            long fetchedTs, byte[] document) {
    }

    private final DataSource dataSource;

    public ServerKeyRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records {@code keyId} as the key in use: a key that was in use before and is not this one
     * is marked expired at {@code now}. Returns every local key, the current one first.
     */
    public List<LocalKey> useLocalKey(String keyId, String publicKey, long now) {
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE local_signing_keys SET expired_ts = ? WHERE expired_ts IS NULL AND key_id <> ?")) {
                ps.setLong(1, now);
                ps.setString(2, keyId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO local_signing_keys (key_id, public_key, added_ts) VALUES (?, ?, ?)
                    ON CONFLICT (key_id) DO UPDATE SET expired_ts = NULL, public_key = EXCLUDED.public_key""")) {
                ps.setString(1, keyId);
                ps.setString(2, publicKey);
                ps.setLong(3, now);
                ps.executeUpdate();
            }
            List<LocalKey> keys = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT key_id, public_key, added_ts, expired_ts "
                    + "FROM local_signing_keys ORDER BY expired_ts DESC NULLS FIRST, key_id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long expired = rs.getLong(4);
                    Long expiredTs = rs.wasNull() ? null : expired;
                    keys.add(new LocalKey(rs.getString(1), rs.getString(2), rs.getLong(3), expiredTs));
                }
            }
            return keys;
        });
    }

    /** Every key known for {@code serverName}. */
    public List<RemoteKey> remoteKeys(String serverName) {
        return Transactions.withConnection(dataSource, c -> {
            List<RemoteKey> keys = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT server_name, key_id, public_key, valid_until_ts, "
                    + "expired_ts, fetched_ts, document FROM remote_server_keys WHERE server_name = ? ORDER BY key_id")) {
                ps.setString(1, serverName);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        keys.add(read(rs));
                    }
                }
            }
            return keys;
        });
    }

    /**
     * Stores keys; a key already stored is replaced only by one from a document valid at least as
     * long (a notary's stale copy must not overwrite a fresher answer). A stored key counts as
     * valid for at most {@code maxValidityMs} after it was fetched, however far its row reaches (a
     * row stored before the caller bounded what it stores must not outlive every later answer).
     */
    public void storeRemoteKeys(Collection<RemoteKey> keys, long maxValidityMs) {
        if (keys.isEmpty()) {
            return;
        }
        Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO remote_server_keys
                        (server_name, key_id, public_key, valid_until_ts, expired_ts, fetched_ts, document)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (server_name, key_id) DO UPDATE SET public_key = EXCLUDED.public_key,
                        valid_until_ts = EXCLUDED.valid_until_ts, expired_ts = EXCLUDED.expired_ts,
                        fetched_ts = EXCLUDED.fetched_ts, document = EXCLUDED.document
                    WHERE LEAST(remote_server_keys.valid_until_ts, remote_server_keys.fetched_ts + ?)
                        <= EXCLUDED.valid_until_ts""")) {
                for (RemoteKey k : keys) {
                    ps.setString(1, k.serverName());
                    ps.setString(2, k.keyId());
                    ps.setString(3, k.publicKey());
                    ps.setLong(4, k.validUntilTs());
                    if (k.expiredTs() == null) {
                        ps.setNull(5, java.sql.Types.BIGINT);
                    } else {
                        ps.setLong(5, k.expiredTs());
                    }
                    ps.setLong(6, k.fetchedTs());
                    ps.setBytes(7, k.document());
                    ps.setLong(8, maxValidityMs);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    private static RemoteKey read(ResultSet rs) throws SQLException {
        long expired = rs.getLong(5);
        Long expiredTs = rs.wasNull() ? null : expired;
        return new RemoteKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), expiredTs,
                rs.getLong(6), rs.getBytes(7));
    }
}
