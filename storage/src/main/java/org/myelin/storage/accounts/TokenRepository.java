package org.myelin.storage.accounts;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;

/**
 * Access and refresh tokens, stored and found by their SHA-256 (client-server API, "Using
 * access tokens", "Refreshing access tokens"). Every token belongs to a device; deleting the
 * device deletes them.
 *
 * <p>Refresh rotation: refreshing R1 issues (A2, R2) and records R2 as R1's successor, and
 * retires A1. R1 stays usable until A2 authenticates a request or R2 is refreshed (a client
 * that lost the response can retry); then R1 is deleted. Refreshing R1 again meanwhile
 * replaces the unused R2 and A2.
 */
public final class TokenRepository {

    /** A device a refresh token belongs to, with the id of the access token issued for it. */
    public record Refreshed(String userId, String deviceId, long accessTokenId) {}

    private final DataSource dataSource;
    private final TokensRevoked revoked;

    public TokenRepository(DataSource dataSource) {
        this(dataSource, TokensRevoked.NONE);
    }

    /** @param revoked told after each commit that deleted some of a user's access tokens */
    public TokenRepository(DataSource dataSource, TokensRevoked revoked) {
        this.dataSource = dataSource;
        this.revoked = revoked;
    }

    /**
     * Logs in: creates the device unless the account has it, revokes any tokens the device had
     * (the spec's "relationship between access tokens and devices") and stores the new
     * tokens. Returns the access token's id.
     */
    public long startSession(NewSession session) {
        long id = Transactions.inTransaction(dataSource, c -> startSession(c, session));
        revoked.revoked(session.userId());
        return id;
    }

    static long startSession(Connection c, NewSession s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO devices (user_id, device_id, display_name) "
                + "VALUES (?, ?, ?) ON CONFLICT (user_id, device_id) DO NOTHING")) {
            ps.setString(1, s.userId());
            ps.setString(2, s.deviceId());
            ps.setString(3, s.initialDisplayName());
            ps.executeUpdate();
        }
        for (String table : new String[] {"access_tokens", "refresh_tokens"}) {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM " + table + " WHERE user_id = ? AND device_id = ?")) {
                ps.setString(1, s.userId());
                ps.setString(2, s.deviceId());
                ps.executeUpdate();
            }
        }
        Long refreshId = s.refreshTokenHash() == null ? null
                : insertRefreshToken(c, s.refreshTokenHash(), s.userId(), s.deviceId(), s.now());
        return insertAccessToken(c, s, refreshId);
    }

    /**
     * The access token with this hash and its account's flags, if it exists: a device's token, or
     * one an admin obtained to act as the user ({@link #createAdminLoginToken}), which has a
     * negative id, no device (an empty device id) and counts as used.
     */
    public Optional<AccessToken> findAccessToken(byte[] tokenHash) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT t.id, t.user_id, t.device_id, t.expires_ts, "
                    + "t.refresh_token_id, t.used, u.is_guest, u.deactivated, u.locked FROM access_tokens t "
                    + "JOIN users u ON u.user_id = t.user_id WHERE t.token_hash = ? "
                    + "UNION ALL SELECT -a.id, a.user_id, '', a.expires_ts, NULL, TRUE, u.is_guest, u.deactivated, "
                    + "u.locked FROM admin_login_tokens a JOIN users u ON u.user_id = a.user_id "
                    + "WHERE a.token_hash = ?")) {
                ps.setBytes(1, tokenHash);
                ps.setBytes(2, tokenHash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    long expires = rs.getLong(4);
                    Long expiresTs = rs.wasNull() ? null : expires;
                    long refresh = rs.getLong(5);
                    Long refreshId = rs.wasNull() ? null : refresh;
                    return Optional.of(new AccessToken(rs.getLong(1), rs.getString(2), rs.getString(3), expiresTs,
                            refreshId, rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8), rs.getBoolean(9)));
                }
            }
        });
    }

    /**
     * Stores an access token for {@code userId} that {@code adminUserId} obtained (Synapse's admin
     * "login as a user"): no device, valid until {@code expiresTs} (null: never).
     */
    public void createAdminLoginToken(String userId, String adminUserId, byte[] tokenHash, Long expiresTs, long now) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO admin_login_tokens "
                    + "(token_hash, user_id, admin_user_id, created_ts, expires_ts) VALUES (?, ?, ?, ?, ?)")) {
                ps.setBytes(1, tokenHash);
                ps.setString(2, userId);
                ps.setString(3, adminUserId);
                ps.setLong(4, now);
                if (expiresTs == null) {
                    ps.setNull(5, java.sql.Types.BIGINT);
                } else {
                    ps.setLong(5, expiresTs);
                }
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Records the first use of an access token: marks it used and, if it came from a refresh,
     * deletes the refresh token it was refreshed from (the client evidently has the new one).
     */
    public void markUsed(AccessToken token) {
        Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE access_tokens SET used = TRUE WHERE id = ? AND NOT used")) {
                ps.setLong(1, token.id());
                if (ps.executeUpdate() == 0 || token.refreshTokenId() == null) {
                    return null;
                }
            }
            deletePredecessors(c, token.refreshTokenId());
            return null;
        });
    }

    /**
     * Revokes one access token (and the refresh token issued with it); a negative id is an admin's
     * login token ({@link #findAccessToken}).
     */
    public void revokeAccessToken(long tokenId) {
        if (tokenId < 0) {
            String owner = Transactions.withConnection(dataSource, c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM admin_login_tokens WHERE id = ? RETURNING user_id")) {
                    ps.setLong(1, -tokenId);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getString(1) : null;
                    }
                }
            });
            if (owner != null) {
                revoked.revoked(owner);
            }
            return;
        }
        String userId = Transactions.inTransaction(dataSource, c -> {
            Long refreshId = null;
            String owner = null;
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM access_tokens WHERE id = ? RETURNING refresh_token_id, user_id")) {
                ps.setLong(1, tokenId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long id = rs.getLong(1);
                        refreshId = rs.wasNull() ? null : id;
                        owner = rs.getString(2);
                    }
                }
            }
            if (refreshId != null) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM refresh_tokens WHERE id = ?")) {
                    ps.setLong(1, refreshId);
                    ps.executeUpdate();
                }
            }
            return owner;
        });
        if (userId != null) {
            revoked.revoked(userId);
        }
    }

    /**
     * Rotates the refresh token with hash {@code oldRefreshHash}: stores the new pair for its
     * device. Empty when the refresh token is unknown or already retired.
     */
    public Optional<Refreshed> refresh(byte[] oldRefreshHash, byte[] newAccessHash, Long expiresTs,
                                       byte[] newRefreshHash, long now) {
        Optional<Refreshed> refreshed = Transactions.inTransaction(dataSource, c -> {
            long oldId;
            Long nextId;
            String userId;
            String deviceId;
            try (PreparedStatement ps = c.prepareStatement("SELECT id, user_id, device_id, next_token_id "
                    + "FROM refresh_tokens WHERE token_hash = ? FOR UPDATE")) {
                ps.setBytes(1, oldRefreshHash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    oldId = rs.getLong(1);
                    userId = rs.getString(2);
                    deviceId = rs.getString(3);
                    long next = rs.getLong(4);
                    nextId = rs.wasNull() ? null : next;
                }
            }
            if (nextId != null) { // an earlier refresh whose result the client never used
                deleteById(c, "refresh_tokens", nextId);
            }
            deletePredecessors(c, oldId);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM access_tokens WHERE refresh_token_id = ?")) {
                ps.setLong(1, oldId);
                ps.executeUpdate();
            }
            long newId = insertRefreshToken(c, newRefreshHash, userId, deviceId, now);
            try (PreparedStatement ps = c.prepareStatement("UPDATE refresh_tokens SET next_token_id = ? WHERE id = ?")) {
                ps.setLong(1, newId);
                ps.setLong(2, oldId);
                ps.executeUpdate();
            }
            long accessId = insertAccessToken(c, new NewSession(userId, deviceId, null, newAccessHash, expiresTs,
                    null, now), newId);
            return Optional.of(new Refreshed(userId, deviceId, accessId));
        });
        refreshed.ifPresent(r -> revoked.revoked(r.userId()));
        return refreshed;
    }

    private static void deletePredecessors(Connection c, long refreshTokenId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM refresh_tokens WHERE next_token_id = ?")) {
            ps.setLong(1, refreshTokenId);
            ps.executeUpdate();
        }
    }

    private static void deleteById(Connection c, String table, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    private static long insertRefreshToken(Connection c, byte[] hash, String userId, String deviceId, long now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO refresh_tokens "
                + "(token_hash, user_id, device_id, created_ts) VALUES (?, ?, ?, ?) RETURNING id")) {
            ps.setBytes(1, hash);
            ps.setString(2, userId);
            ps.setString(3, deviceId);
            ps.setLong(4, now);
            return returnedId(ps);
        }
    }

    private static long insertAccessToken(Connection c, NewSession s, Long refreshId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO access_tokens (token_hash, user_id, device_id, "
                + "created_ts, expires_ts, refresh_token_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
            ps.setBytes(1, s.accessTokenHash());
            ps.setString(2, s.userId());
            ps.setString(3, s.deviceId());
            ps.setLong(4, s.now());
            if (s.expiresTs() == null) {
                ps.setNull(5, Types.BIGINT);
            } else {
                ps.setLong(5, s.expiresTs());
            }
            if (refreshId == null) {
                ps.setNull(6, Types.BIGINT);
            } else {
                ps.setLong(6, refreshId);
            }
            return returnedId(ps);
        }
    }

    private static long returnedId(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
