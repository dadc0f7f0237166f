package org.myelin.storage.filters;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Filters users uploaded (client-server API, "Filtering"), kept as the JSON text they define.
 * Uploading the same filter again gives back its id, since clients upload one on every start.
 */
public final class FilterRepository {

    private final DataSource dataSource;

    public FilterRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores {@code filterJson} for {@code userId}; returns its id (digits only, never starting with '{'). */
    public String create(String userId, String filterJson) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO sync_filters (user_id, filter_hash, filter) VALUES (?, ?, ?)
                ON CONFLICT (user_id, filter_hash) DO UPDATE SET filter = EXCLUDED.filter
                RETURNING filter_id""")) {
            ps.setString(1, userId);
            ps.setString(2, sha256(filterJson));
            ps.setString(3, filterJson);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Long.toString(rs.getLong(1));
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** The filter {@code userId} stored under {@code filterId}, as JSON text. */
    public Optional<String> get(String userId, String filterId) {
        long id;
        try {
            id = Long.parseLong(filterId);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT filter FROM sync_filters WHERE filter_id = ? AND user_id = ?")) {
            ps.setLong(1, id);
            ps.setString(2, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
