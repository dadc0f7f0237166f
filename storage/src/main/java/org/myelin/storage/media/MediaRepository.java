package org.myelin.storage.media;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
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

    /** What became of an upload's row under a quota. */
    public enum Recorded {
        RECORDED,
        /** A pending id that has content already, or is not the uploader's. */
        NOT_PENDING,
        /** The uploader's uploads would pass the quota: nothing was recorded. */
        OVER_QUOTA
    }

    /** Records media uploaded in one request ({@code POST /upload}). */
    public void insertUploaded(MediaId mediaId, UserId uploader, boolean authenticated, LocalMedia.Upload upload) {
        insertUploaded(mediaId, uploader, authenticated, upload, Long.MAX_VALUE);
    }

    /**
     * Records media uploaded in one request ({@code POST /upload}), unless the sizes of what
     * {@code uploader} keeps uploaded would then pass {@code maxUserBytes} ({@link Long#MAX_VALUE}:
     * no quota). Summing and inserting hold a lock on the uploader, so that concurrent uploads
     * cannot together pass the quota.
     */
    public Recorded insertUploaded(MediaId mediaId, UserId uploader, boolean authenticated, LocalMedia.Upload upload,
                                   long maxUserBytes) {
        return Transactions.inTransaction(dataSource, c -> {
            if (overQuota(c, uploader, upload.content().size(), maxUserBytes)) {
                return Recorded.OVER_QUOTA;
            }
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
            return Recorded.RECORDED;
        });
    }

    /**
     * Records an image fetched for the URL preview of {@code url} ({@code og:image}, or the page
     * itself), as media of the user who asked for it: it counts toward no quota.
     */
    public void insertPreviewImage(MediaId mediaId, UserId requester, boolean authenticated, LocalMedia.Upload upload,
                                   String url) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO local_media (media_id, uploader, created_ts, content_type, upload_name, size_bytes,
                                             sha256, uploaded_ts, authenticated, url_cache)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                ps.setString(1, mediaId.value());
                ps.setString(2, requester.toString());
                ps.setLong(3, upload.uploadedTs());
                setUpload(ps, 4, upload);
                ps.setBoolean(9, authenticated);
                ps.setString(10, url);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** How many bytes of uploads {@code uploader} keeps (what counts toward a quota). */
    public long usedBytes(UserId uploader) {
        return Transactions.withConnection(dataSource, c -> used(c, uploader));
    }

    private static long used(Connection c, UserId uploader) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT COALESCE(sum(size_bytes), 0) FROM local_media WHERE uploader = ? AND url_cache IS NULL""")) {
            ps.setString(1, uploader.toString());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Whether adding {@code adding} bytes passes the quota; takes the uploader's quota lock when there is one. */
    private static boolean overQuota(Connection c, UserId uploader, long adding, long maxUserBytes)
            throws SQLException {
        if (maxUserBytes == Long.MAX_VALUE) {
            return false;
        }
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, "local_media quota " + uploader);
            lock.executeQuery().close();
        }
        return used(c, uploader) + adding > maxUserBytes;
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
        return fillPending(mediaId, uploader, upload, Long.MAX_VALUE) == Recorded.RECORDED;
    }

    /**
     * Gives a pending media id its content, unless it has content already or is not
     * {@code uploader}'s ({@link Recorded#NOT_PENDING}), or the uploader's uploads would then pass
     * {@code maxUserBytes} ({@link Recorded#OVER_QUOTA}).
     */
    public Recorded fillPending(MediaId mediaId, UserId uploader, LocalMedia.Upload upload, long maxUserBytes) {
        return Transactions.inTransaction(dataSource, c -> {
            if (overQuota(c, uploader, upload.content().size(), maxUserBytes)) {
                return Recorded.OVER_QUOTA;
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE local_media SET content_type = ?, upload_name = ?, size_bytes = ?, sha256 = ?,
                                           uploaded_ts = ?
                    WHERE media_id = ? AND uploader = ? AND sha256 IS NULL""")) {
                setUpload(ps, 1, upload);
                ps.setString(6, mediaId.value());
                ps.setString(7, uploader.toString());
                return ps.executeUpdate() == 1 ? Recorded.RECORDED : Recorded.NOT_PENDING;
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

    /**
     * Deletes {@code mediaId} and its thumbnails; the contents they named (the media's, if it was
     * uploaded, and its thumbnails'), which may now be unreferenced; empty if there was no such media.
     */
    public Optional<List<Sha256>> delete(MediaId mediaId) {
        return Transactions.inTransaction(dataSource, c -> {
            List<Sha256> contents = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT sha256 FROM local_media_thumbnails WHERE media_id = ?")) {
                ps.setString(1, mediaId.value());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        contents.add(new Sha256(rs.getString(1)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM local_media WHERE media_id = ? RETURNING sha256")) {
                ps.setString(1, mediaId.value());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    if (rs.getString(1) != null) {
                        contents.add(new Sha256(rs.getString(1)));
                    }
                }
            }
            return Optional.of(contents);
        });
    }

    /** Up to {@code limit} images of URL previews fetched before {@code beforeTs}, oldest first. */
    public List<MediaId> previewImagesBefore(long beforeTs, int limit) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT media_id FROM local_media WHERE url_cache IS NOT NULL AND created_ts < ?
                    ORDER BY created_ts LIMIT ?""")) {
                ps.setLong(1, beforeTs);
                ps.setInt(2, limit);
                List<MediaId> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(MediaId.parse(rs.getString(1)));
                    }
                }
                return ids;
            }
        });
    }

    /**
     * How many media rows (local and remote, with thumbnails, those made here and those fetched
     * from an origin) name this content: 0 means it may go.
     */
    public long references(Sha256 sha256) {
        return Transactions.withConnection(dataSource, c -> references(c, sha256));
    }

    static long references(Connection c, Sha256 sha256) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT (SELECT count(*) FROM local_media WHERE sha256 = ?)
                     + (SELECT count(*) FROM local_media_thumbnails WHERE sha256 = ?)
                     + (SELECT count(*) FROM remote_media WHERE sha256 = ?)
                     + (SELECT count(*) FROM remote_media_thumbnails WHERE sha256 = ?)
                     + (SELECT count(*) FROM remote_media_origin_thumbnails WHERE sha256 = ?)""")) {
            for (int i = 1; i <= 5; i++) {
                ps.setString(i, sha256.hex());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
