package org.myelin.storage.media;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.MxcUri;
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
                    boolean neverServed = rs.wasNull();
                    String sha256 = rs.getString("sha256");
                    StoredContent content = sha256 == null ? null
                            : new StoredContent(new Sha256(sha256), rs.getLong("size_bytes"));
                    return Optional.of(new CachedRemoteMedia(origin, mediaId, rs.getString("content_type"),
                            rs.getString("upload_name"), content, rs.getLong("fetched_ts"),
                            rs.getBoolean("authenticated"), rs.getString("quarantined_by"),
                            neverServed ? 0 : lastAccess));
                }
            }
        });
    }

    /**
     * Records media just fetched. If a row is there already (another process fetched it too, its
     * content had gone from the store, or only its thumbnails were fetched), it takes the new
     * content, unless it is quarantined.
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

    /**
     * Records {@code mxc://origin/mediaId} as known without its content (a thumbnail of it is
     * about to be kept), unless it is known already.
     */
    public void ensureKnown(ServerName origin, MediaId mediaId, boolean authenticated, long nowTs) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO remote_media (origin, media_id, fetched_ts, authenticated, last_access_ts)
                    VALUES (?, ?, ?, ?, ?) ON CONFLICT (origin, media_id) DO NOTHING""")) {
                ps.setString(1, origin.toString());
                ps.setString(2, mediaId.value());
                ps.setLong(3, nowTs);
                ps.setBoolean(4, authenticated);
                ps.setLong(5, nowTs);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Up to {@code limit} media (of any origin) not served since before {@code beforeTs} and not
     * quarantined, least recently served first: what retention deletes.
     */
    public List<MxcUri> unusedSince(long beforeTs, int limit) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT origin, media_id FROM remote_media
                    WHERE quarantined_by IS NULL AND COALESCE(last_access_ts, fetched_ts) < ?
                    ORDER BY COALESCE(last_access_ts, fetched_ts) LIMIT ?""")) {
                ps.setLong(1, beforeTs);
                ps.setInt(2, limit);
                List<MxcUri> media = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        media.add(new MxcUri(ServerName.parse(rs.getString(1)), MediaId.parse(rs.getString(2))));
                    }
                }
                return media;
            }
        });
    }

    /**
     * Deletes {@code media} with its thumbnails (made here and fetched from its origin), if it is
     * still not served since before {@code beforeTs} and not quarantined; the contents they named,
     * which may now be unreferenced; empty if it was not deleted.
     */
    public Optional<List<Sha256>> deleteUnused(MxcUri media, long beforeTs) {
        return Transactions.inTransaction(dataSource, c -> {
            // Its thumbnails go with it (ON DELETE CASCADE): what they name is read first.
            List<Sha256> contents = new ArrayList<>();
            for (String table : List.of("remote_media_thumbnails", "remote_media_origin_thumbnails")) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT sha256 FROM " + table + " WHERE origin = ? AND media_id = ?")) {
                    ps.setString(1, media.server().toString());
                    ps.setString(2, media.mediaId().value());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            contents.add(new Sha256(rs.getString(1)));
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    DELETE FROM remote_media WHERE origin = ? AND media_id = ? AND quarantined_by IS NULL
                      AND COALESCE(last_access_ts, fetched_ts) < ?
                    RETURNING sha256""")) {
                ps.setString(1, media.server().toString());
                ps.setString(2, media.mediaId().value());
                ps.setLong(3, beforeTs);
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
