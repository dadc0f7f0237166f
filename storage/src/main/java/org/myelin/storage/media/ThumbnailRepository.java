package org.myelin.storage.media;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.myelin.protocol.id.MxcUri;
import org.myelin.protocol.id.ServerName;
import org.myelin.storage.Transactions;

/**
 * Which thumbnails each piece of media has, and which content holds each (tables
 * {@code local_media_thumbnails} for this server's media, {@code remote_media_thumbnails} for
 * other servers' media cached here); the bytes are in a {@link MediaStore}. Media is named by its
 * {@code mxc://} URI whichever server it came from: this server's name picks the table.
 */
public final class ThumbnailRepository {

    private final DataSource dataSource;
    private final ServerName localServer;

    public ThumbnailRepository(DataSource dataSource, ServerName localServer) {
        this.dataSource = dataSource;
        this.localServer = localServer;
    }

    /** The thumbnails made of {@code media}, in the order they were made. */
    public List<StoredThumbnail> list(MxcUri media) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = local(media) ? c.prepareStatement("""
                    SELECT width, height, method, content_type, size_bytes, sha256 FROM local_media_thumbnails
                    WHERE media_id = ? ORDER BY created_ts, width, height""")
                    : c.prepareStatement("""
                    SELECT width, height, method, content_type, size_bytes, sha256 FROM remote_media_thumbnails
                    WHERE media_id = ? AND origin = ? ORDER BY created_ts, width, height""")) {
                ps.setString(1, media.mediaId().value());
                if (!local(media)) {
                    ps.setString(2, media.server().toString());
                }
                List<StoredThumbnail> thumbnails = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        thumbnails.add(new StoredThumbnail(rs.getInt(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                                new StoredContent(new Sha256(rs.getString(6)), rs.getLong(5))));
                    }
                }
                return thumbnails;
            }
        });
    }

    /**
     * Records a thumbnail of {@code media} made at {@code nowTs}; one of the same size, method and
     * type recorded before is replaced (made again because its content had gone from the store).
     * The media's own row must exist.
     */
    public void put(MxcUri media, StoredThumbnail thumbnail, long nowTs) {
        Transactions.withConnection(dataSource, c -> {
            if (local(media)) {
                insert(c, """
                        INSERT INTO local_media_thumbnails (width, height, method, content_type, size_bytes, sha256,
                                                            created_ts, media_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (media_id, width, height, method, content_type)
                        DO UPDATE SET size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256""",
                        media, thumbnail, nowTs);
            } else {
                insert(c, """
                        INSERT INTO remote_media_thumbnails (width, height, method, content_type, size_bytes, sha256,
                                                             created_ts, media_id, origin)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (origin, media_id, width, height, method, content_type)
                        DO UPDATE SET size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256""",
                        media, thumbnail, nowTs);
            }
            return null;
        });
    }

    private void insert(Connection c, String sql, MxcUri media, StoredThumbnail t, long nowTs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, t.width());
            ps.setInt(2, t.height());
            ps.setString(3, t.method());
            ps.setString(4, t.contentType());
            ps.setLong(5, t.content().size());
            ps.setString(6, t.content().sha256().hex());
            ps.setLong(7, nowTs);
            ps.setString(8, media.mediaId().value());
            if (!local(media)) {
                ps.setString(9, media.server().toString());
            }
            ps.executeUpdate();
        }
    }

    private boolean local(MxcUri media) {
        return media.server().equals(localServer);
    }
}
