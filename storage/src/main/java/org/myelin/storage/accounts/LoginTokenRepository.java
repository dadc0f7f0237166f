package org.myelin.storage.accounts;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * Login tokens (client-server API, "Login tokens"), kept by their SHA-256 with the user they log
 * in and when they expire. Using one deletes it, so that it serves one login however many clients
 * try it at once. Expired tokens are swept as new ones are stored.
 */
public final class LoginTokenRepository {

    private final DataSource dataSource;

    public LoginTokenRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores a token of {@code userId} valid until {@code expiresTs}, and drops those expired at {@code now}. */
    public void store(byte[] tokenHash, String userId, long expiresTs, long now) {
        Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM login_tokens WHERE expires_ts <= ?")) {
                ps.setLong(1, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO login_tokens (token_hash, user_id, expires_ts) VALUES (?, ?, ?)")) {
                ps.setBytes(1, tokenHash);
                ps.setString(2, userId);
                ps.setLong(3, expiresTs);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Uses a token: deletes it and returns its user, if it was known, unexpired at {@code now}
     * and its account not deactivated. An expired or unknown token is empty (and gone).
     */
    public Optional<String> consume(byte[] tokenHash, long now) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM login_tokens t USING users u "
                    + "WHERE t.token_hash = ? AND u.user_id = t.user_id RETURNING t.user_id, t.expires_ts, u.deactivated")) {
                ps.setBytes(1, tokenHash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getLong(2) <= now || rs.getBoolean(3)) {
                        return Optional.empty();
                    }
                    return Optional.of(rs.getString(1));
                }
            }
        });
    }
}
