package org.myelin.storage.media;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.Optional;
import javax.sql.DataSource;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.ServerName;
import org.myelin.storage.Transactions;

/**
 * Other servers' media this server keeps (table {@code remote_media}): what each
 * {@code mxc://origin/mediaId} is and which content holds it. Server-server API, "Content
 * Repository".
 */
public final class RemoteMediaRepository {

    private final DataSource dataSource;

    public RemoteMediaRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<CachedRemoteMedia> find(ServerName origin, MediaId mediaId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT content_type, upload_name, size_bytes, sha256, fetched_ts, authenticated, quarantined_by,
                           last_access_ts
                    FROM remote_media WHERE origin = ? AND media_id = ?""")) {
                ps.setString(1, origin.toString());
                ps.setString(2, mediaId.value());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    long lastAccess = rs.getLong("last_access_ts");
                    return Optional.of(new CachedRemoteMedia(origin, mediaId, rs.getString("content_type"),
                            rs.getString("upload_name"),
                            new StoredContent(new Sha256(rs.getString("sha256")), rs.getLong("size_bytes")),
                            rs.getLong("fetched_ts"), rs.getBoolean("authenticated"), rs.getString("quarantined_by"),
                            rs.wasNull() ? 0 : lastAccess));
                }
            }
        });
    }

    /**
     * Records media just fetched. If a row is there already (another process fetched it too, or
     * its content had gone from the store), it takes the new content, unless it is quarantined.
     */
    public void store(CachedRemoteMedia media) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO remote_media (origin, media_id, content_type, upload_name, size_bytes, sha256,
                                              fetched_ts, authenticated, last_access_ts)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (origin, media_id) DO UPDATE
                    SET content_type = EXCLUDED.content_type, upload_name = EXCLUDED.upload_name,
                        size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256, fetched_ts = EXCLUDED.fetched_ts,
                        last_access_ts = EXCLUDED.last_access_ts
                    WHERE remote_media.quarantined_by IS NULL""")) {
                ps.setString(1, media.origin().toString());
                ps.setString(2, media.mediaId().value());
                ps.setString(3, media.contentType());
                if (media.uploadName() == null) {
                    ps.setNull(4, Types.VARCHAR);
                } else {
                    ps.setString(4, media.uploadName());
                }
                ps.setLong(5, media.content().size());
                ps.setString(6, media.content().sha256().hex());
                ps.setLong(7, media.fetchedTs());
                ps.setBoolean(8, media.authenticated());
                ps.setLong(9, media.lastAccessTs());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Notes that the media was served at {@code ts}. */
    public void accessed(ServerName origin, MediaId mediaId, long ts) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE remote_media SET last_access_ts = ? WHERE origin = ? AND media_id = ?")) {
                ps.setLong(1, ts);
                ps.setString(2, origin.toString());
                ps.setString(3, mediaId.value());
                ps.executeUpdate();
            }
            return null;
        });
    }
}
