package org.myelin.storage.accounts;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Registration tokens. A registration that passes the token stage reserves one use
 * ({@code pending}); completing the registration turns it into a {@code completed} use, and
 * abandoning it gives the use back.
 */
public final class RegistrationTokenRepository {

    private static final String COLUMNS = "token, uses_allowed, pending, completed, expiry_time";

    private final DataSource dataSource;

    public RegistrationTokenRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores a new token; false if the token exists already. */
    public boolean create(String token, Integer usesAllowed, Long expiryTime) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO registration_tokens (token, uses_allowed, "
                    + "expiry_time) VALUES (?, ?, ?) ON CONFLICT (token) DO NOTHING")) {
                ps.setString(1, token);
                if (usesAllowed == null) {
                    ps.setNull(2, Types.INTEGER);
                } else {
                    ps.setInt(2, usesAllowed);
                }
                if (expiryTime == null) {
                    ps.setNull(3, Types.BIGINT);
                } else {
                    ps.setLong(3, expiryTime);
                }
                return ps.executeUpdate() > 0;
            }
        });
    }

    public Optional<RegistrationToken> find(String token) {
        return query("SELECT " + COLUMNS + " FROM registration_tokens WHERE token = ?", token).stream().findFirst();
    }

    /** Every token, ordered by token. */
    public List<RegistrationToken> all() {
        return query("SELECT " + COLUMNS + " FROM registration_tokens ORDER BY token", null);
    }

    /** Reserves one use of the token if it is valid at {@code now}; false if it is not. */
    public boolean reserve(String token, long now) {
        return update("UPDATE registration_tokens SET pending = pending + 1 WHERE token = ? "
                + "AND (expiry_time IS NULL OR expiry_time > ?) "
                + "AND (uses_allowed IS NULL OR pending + completed < uses_allowed)", token, now);
    }

    /** Turns a reserved use into a completed one. */
    public void complete(String token) {
        update("UPDATE registration_tokens SET pending = GREATEST(pending - 1, 0), completed = completed + 1 "
                + "WHERE token = ?", token, null);
    }

    /** Gives a reserved use back (the registration was abandoned). */
    public void release(String token) {
        update("UPDATE registration_tokens SET pending = GREATEST(pending - 1, 0) WHERE token = ?", token, null);
    }

    private boolean update(String sql, String token, Long now) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, token);
                if (now != null) {
                    ps.setLong(2, now);
                }
                return ps.executeUpdate() > 0;
            }
        });
    }

    private List<RegistrationToken> query(String sql, String token) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (token != null) {
                    ps.setString(1, token);
                }
                List<RegistrationToken> found = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int uses = rs.getInt(2);
                        Integer usesAllowed = rs.wasNull() ? null : uses;
                        long expiry = rs.getLong(5);
                        Long expiryTime = rs.wasNull() ? null : expiry;
                        found.add(new RegistrationToken(rs.getString(1), usesAllowed, rs.getInt(3), rs.getInt(4),
                                expiryTime));
                    }
                }
                return found;
            }
        });
    }
}
