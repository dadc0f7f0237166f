package org.myelin.storage.media;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import javax.sql.DataSource;
import org.myelin.protocol.id.MxcUri;
import org.myelin.storage.Transactions;

/**
 * Thumbnails of other servers' media as their origin made them (table
 * {@code remote_media_origin_thumbnails}; server-server API, {@code GET
 * /_matrix/federation/v1/media/thumbnail/{mediaId}}), kept under the request that fetched them.
 * The media's own row in {@code remote_media} must exist (known, maybe without content).
 */
public final class OriginThumbnailRepository {

    /** A thumbnail request, as a client and then this server asked the origin. */
    public record Asked(int width, int height, String method, boolean animated) {}

    /** A thumbnail the origin answered with: its type and content. */
    public record Fetched(String contentType, StoredContent content) {}

    private final DataSource dataSource;

    public OriginThumbnailRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The thumbnail of {@code media} fetched for {@code asked}, if kept. */
    public Optional<Fetched> find(MxcUri media, Asked asked) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT content_type, size_bytes, sha256 FROM remote_media_origin_thumbnails
                    WHERE origin = ? AND media_id = ? AND width = ? AND height = ? AND method = ? AND animated = ?""")) {
                ps.setString(1, media.server().toString());
                ps.setString(2, media.mediaId().value());
                ps.setInt(3, asked.width());
                ps.setInt(4, asked.height());
                ps.setString(5, asked.method());
                ps.setBoolean(6, asked.animated());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Fetched(rs.getString(1),
                            new StoredContent(new Sha256(rs.getString(3)), rs.getLong(2))));
                }
            }
        });
    }

    /** Keeps {@code fetched} as the thumbnail of {@code media} for {@code asked}, replacing one kept before. */
    public void put(MxcUri media, Asked asked, Fetched fetched, long nowTs) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO remote_media_origin_thumbnails (origin, media_id, width, height, method, animated,
                                                                content_type, size_bytes, sha256, fetched_ts)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (origin, media_id, width, height, method, animated) DO UPDATE
                    SET content_type = EXCLUDED.content_type, size_bytes = EXCLUDED.size_bytes,
                        sha256 = EXCLUDED.sha256, fetched_ts = EXCLUDED.fetched_ts""")) {
                ps.setString(1, media.server().toString());
                ps.setString(2, media.mediaId().value());
                ps.setInt(3, asked.width());
                ps.setInt(4, asked.height());
                ps.setString(5, asked.method());
                ps.setBoolean(6, asked.animated());
                ps.setString(7, fetched.contentType());
                ps.setLong(8, fetched.content().size());
                ps.setString(9, fetched.content().sha256().hex());
                ps.setLong(10, nowTs);
                ps.executeUpdate();
            }
            return null;
        });
    }
}
