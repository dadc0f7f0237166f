package org.myelin.storage.media;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.Optional;
import javax.sql.DataSource;
import org.myelin.storage.Transactions;

/**
 * URL previews made (table {@code url_previews}; client-server API, {@code GET
 * /_matrix/client/v1/media/preview_url}): each URL's Open Graph answer as fetched at a time,
 * valid for a while. A request's {@code ts} picks the answer of its time, as Synapse does: the
 * latest fetched at or before it, else the first fetched after it.
 */
public final class UrlPreviewRepository {

    private final DataSource dataSource;

    public UrlPreviewRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The answer for {@code url} of time {@code ts}, if one is kept that is still valid at {@code ts}. */
    public Optional<String> find(String url, long ts) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT og, expires_ts FROM url_previews WHERE url_sha256 = ?
                    ORDER BY fetched_ts <= ? DESC,
                             CASE WHEN fetched_ts <= ? THEN -fetched_ts ELSE fetched_ts END
                    LIMIT 1""")) {
                ps.setString(1, sha256(url));
                ps.setLong(2, ts);
                ps.setLong(3, ts);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getLong("expires_ts") <= ts) {
                        return Optional.empty();
                    }
                    return Optional.of(rs.getString("og"));
                }
            }
        });
    }

    /** Keeps the answer {@code og} for {@code url}, fetched at {@code fetchedTs}, valid until {@code expiresTs}. */
    public void store(String url, long fetchedTs, long expiresTs, String og) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO url_previews (url_sha256, url, fetched_ts, expires_ts, og) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (url_sha256, fetched_ts) DO NOTHING""")) {
                ps.setString(1, sha256(url));
                ps.setString(2, url);
                ps.setLong(3, fetchedTs);
                ps.setLong(4, expiresTs);
                ps.setString(5, og);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Deletes the answers no longer valid at {@code nowTs}; how many. */
    public int deleteExpired(long nowTs) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM url_previews WHERE expires_ts <= ?")) {
                ps.setLong(1, nowTs);
                return ps.executeUpdate();
            }
        });
    }

    private static String sha256(String url) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(url.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
