package org.myelin.storage.accounts;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * OpenID tokens (client-server API, "OpenID"), kept by their SHA-256 with the user they name and
 * when they expire. Expired tokens are swept as new ones are stored.
 */
public final class OpenIdTokenRepository {

    private final DataSource dataSource;

    public OpenIdTokenRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores a token of {@code userId} valid until {@code expiresTs}, and drops those expired at {@code now}. */
    public void store(byte[] tokenHash, String userId, long expiresTs, long now) {
        Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM openid_tokens WHERE expires_ts <= ?")) {
                ps.setLong(1, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO openid_tokens (token_hash, user_id, expires_ts) VALUES (?, ?, ?)")) {
                ps.setBytes(1, tokenHash);
                ps.setString(2, userId);
                ps.setLong(3, expiresTs);
                return ps.executeUpdate();
            }
        });
    }

    /** The user a token names, if it is known, unexpired at {@code now} and its account not deactivated. */
    public Optional<String> owner(byte[] tokenHash, long now) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT t.user_id FROM openid_tokens t "
                    + "JOIN users u ON u.user_id = t.user_id "
                    + "WHERE t.token_hash = ? AND t.expires_ts > ? AND NOT u.deactivated")) {
                ps.setBytes(1, tokenHash);
                ps.setLong(2, now);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }
}
