package org.myelin.storage.media;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;
import javax.sql.DataSource;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.UserId;
import org.myelin.storage.Transactions;

/**
 * Media ids of this server and what content each names (table {@code local_media}); the content
 * itself is in a {@link MediaStore}. Client-server API, "Content repository".
 */
public final class MediaRepository {

    /** The outcome of {@link #createPending}. */
    public sealed interface Creation {
        /** The id was recorded, waiting for its content. */
        record Created() implements Creation {}

        /**
         * The uploader already has {@code limit} pending ids; the first of them stops being
         * pending (expires) when {@code firstCreatedTs} plus the expiry time has passed.
         */
        record LimitReached(long firstCreatedTs) implements Creation {}
    }

    private final DataSource dataSource;

    public MediaRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records media uploaded in one request ({@code POST /upload}). */
    public void insertUploaded(MediaId mediaId, UserId uploader, boolean authenticated, LocalMedia.Upload upload) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO local_media (media_id, uploader, created_ts, content_type, upload_name, size_bytes,
                                             sha256, uploaded_ts, authenticated)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                ps.setString(1, mediaId.value());
                ps.setString(2, uploader.toString());
                ps.setLong(3, upload.uploadedTs());
                setUpload(ps, 4, upload);
                ps.setBoolean(9, authenticated);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Records a media id without content ({@code POST /media/v1/create}), unless {@code uploader}
     * has {@code limit} pending ids already: ids without content made after {@code pendingSinceTs}
     * (older ones have expired). Counting and inserting hold a lock on the uploader, so that
     * concurrent requests cannot together pass the limit.
     */
    public Creation createPending(MediaId mediaId, UserId uploader, long nowTs, long pendingSinceTs, int limit,
                                  boolean authenticated) {
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "local_media pending " + uploader);
                lock.executeQuery().close();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT count(*), min(created_ts) FROM local_media
                    WHERE uploader = ? AND sha256 IS NULL AND created_ts > ?""")) {
                ps.setString(1, uploader.toString());
                ps.setLong(2, pendingSinceTs);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) >= limit) {
                        return new Creation.LimitReached(rs.getLong(2));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO local_media (media_id, uploader, created_ts, authenticated) VALUES (?, ?, ?, ?)""")) {
                ps.setString(1, mediaId.value());
                ps.setString(2, uploader.toString());
                ps.setLong(3, nowTs);
                ps.setBoolean(4, authenticated);
                ps.executeUpdate();
            }
            return new Creation.Created();
        });
    }

    /**
     * Gives a pending media id its content; false if it has content already (another upload was
     * first) or is not {@code uploader}'s.
     */
    public boolean fillPending(MediaId mediaId, UserId uploader, LocalMedia.Upload upload) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE local_media SET content_type = ?, upload_name = ?, size_bytes = ?, sha256 = ?,
                                           uploaded_ts = ?
                    WHERE media_id = ? AND uploader = ? AND sha256 IS NULL""")) {
                setUpload(ps, 1, upload);
                ps.setString(6, mediaId.value());
                ps.setString(7, uploader.toString());
                return ps.executeUpdate() == 1;
            }
        });
    }

    public Optional<LocalMedia> find(MediaId mediaId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT uploader, created_ts, authenticated, quarantined_by, content_type, upload_name,
                           size_bytes, sha256, uploaded_ts
                    FROM local_media WHERE media_id = ?""")) {
                ps.setString(1, mediaId.value());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(mediaId, rs)) : Optional.empty();
                }
            }
        });
    }

    private static LocalMedia read(MediaId mediaId, ResultSet rs) throws SQLException {
        String sha256 = rs.getString("sha256");
        LocalMedia.Upload upload = sha256 == null ? null : new LocalMedia.Upload(
                rs.getString("content_type"), rs.getString("upload_name"),
                new StoredContent(new Sha256(sha256), rs.getLong("size_bytes")), rs.getLong("uploaded_ts"));
        return new LocalMedia(mediaId, UserId.parse(rs.getString("uploader")), rs.getLong("created_ts"),
                rs.getBoolean("authenticated"), rs.getString("quarantined_by"), upload);
    }

    /** Sets content_type, upload_name, size_bytes, sha256, uploaded_ts from parameter {@code first} on. */
    private static void setUpload(PreparedStatement ps, int first, LocalMedia.Upload upload) throws SQLException {
        ps.setString(first, upload.contentType());
        if (upload.uploadName() == null) {
            ps.setNull(first + 1, Types.VARCHAR);
        } else {
            ps.setString(first + 1, upload.uploadName());
        }
        ps.setLong(first + 2, upload.content().size());
        ps.setString(first + 3, upload.content().sha256().hex());
        ps.setLong(first + 4, upload.uploadedTs());
    }

    /** How many media rows (local and remote, with thumbnails) name this content: 0 means it may go. */
    public long references(Sha256 sha256) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT (SELECT count(*) FROM local_media WHERE sha256 = ?)
                         + (SELECT count(*) FROM local_media_thumbnails WHERE sha256 = ?)
                         + (SELECT count(*) FROM remote_media WHERE sha256 = ?)
                         + (SELECT count(*) FROM remote_media_thumbnails WHERE sha256 = ?)""")) {
                for (int i = 1; i <= 4; i++) {
                    ps.setString(i, sha256.hex());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}
