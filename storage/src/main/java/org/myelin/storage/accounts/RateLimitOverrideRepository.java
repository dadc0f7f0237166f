package org.myelin.storage.accounts;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * Per-user overrides of the message rate limit, set by admins (Synapse's admin API, "Override
 * ratelimiting for users").
 */
public final class RateLimitOverrideRepository {

    /** A user's override; {@code messagesPerSecond} 0 means not limited at all. */
    public record Limit(int messagesPerSecond, int burstCount) {
    }

    private final DataSource dataSource;

    public RateLimitOverrideRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<Limit> find(String userId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT messages_per_second, burst_count FROM ratelimit_overrides WHERE user_id = ?")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Limit(rs.getInt(1), rs.getInt(2))) : Optional.empty();
                }
            }
        });
    }

    public void set(String userId, Limit override) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ratelimit_overrides "
                    + "(user_id, messages_per_second, burst_count) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE "
                    + "SET messages_per_second = EXCLUDED.messages_per_second, burst_count = EXCLUDED.burst_count")) {
                ps.setString(1, userId);
                ps.setInt(2, override.messagesPerSecond());
                ps.setInt(3, override.burstCount());
                return ps.executeUpdate();
            }
        });
    }

    public void delete(String userId) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM ratelimit_overrides WHERE user_id = ?")) {
                ps.setString(1, userId);
                return ps.executeUpdate();
            }
        });
    }
}
