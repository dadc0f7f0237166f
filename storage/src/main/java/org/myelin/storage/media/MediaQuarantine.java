package org.myelin.storage.media;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.myelin.protocol.id.InvalidIdentifierException;
import org.myelin.protocol.id.MxcUri;
import org.myelin.protocol.id.RoomId;
import org.myelin.protocol.id.ServerName;
import org.myelin.storage.Transactions;

/**
 * Quarantine of media (Synapse's admin API, "Quarantine media"): quarantined media, this
 * server's or another's, is served to nobody and not fetched again (the {@code quarantined_by}
 * of {@code local_media} and {@code remote_media}); its files stay. Another server's media never
 * fetched here is recorded as known without content, quarantined, so that the quarantine holds
 * when someone asks for it later (Synapse quarantines only what it has cached).
 */
public final class MediaQuarantine {

    /** The bytes of {@code mxc://}, to skip events that name no media before parsing their JSON. */
    private static final byte[] MXC = "mxc://".getBytes(StandardCharsets.US_ASCII);

    private final DataSource dataSource;
    private final ServerName localServer;
    private final boolean authenticatedMedia;

    /**
     * @param authenticatedMedia whether media fetched now is served only by the authenticated
     *                           endpoints: what a remote media quarantined before its fetch is recorded as
     */
    public MediaQuarantine(DataSource dataSource, ServerName localServer, boolean authenticatedMedia) {
        this.dataSource = dataSource;
        this.localServer = localServer;
        this.authenticatedMedia = authenticatedMedia;
    }

    /**
     * Quarantines {@code media} as asked by {@code by} (a user id), or lifts the quarantine when
     * {@code by} is null; how many media were (un)quarantined. Local media that does not exist is
     * skipped; remote media not known here is recorded as quarantined, and skipped when lifting.
     */
    public int quarantine(Collection<MxcUri> media, String by, long nowTs) {
        return Transactions.inTransaction(dataSource, c -> {
            int changed = 0;
            for (MxcUri mxc : new LinkedHashSet<>(media)) {
                changed += mxc.server().equals(localServer) ? local(c, mxc, by) : remote(c, mxc, by, nowTs);
            }
            return changed;
        });
    }

    private static int local(Connection c, MxcUri media, String by) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE local_media SET quarantined_by = ? WHERE media_id = ?")) {
            ps.setString(1, by);
            ps.setString(2, media.mediaId().value());
            return ps.executeUpdate();
        }
    }

    private int remote(Connection c, MxcUri media, String by, long nowTs)
            throws SQLException {
        if (by == null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE remote_media SET quarantined_by = NULL WHERE origin = ? AND media_id = ?")) {
                ps.setString(1, media.server().toString());
                ps.setString(2, media.mediaId().value());
                return ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO remote_media (origin, media_id, fetched_ts, authenticated, quarantined_by)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (origin, media_id) DO UPDATE SET quarantined_by = EXCLUDED.quarantined_by""")) {
            ps.setString(1, media.server().toString());
            ps.setString(2, media.mediaId().value());
            ps.setLong(3, nowTs);
            ps.setBoolean(4, authenticatedMedia);
            ps.setString(5, by);
            return ps.executeUpdate();
        }
    }

    /**
     * The media the events of {@code roomId} name (as Synapse finds it, and more): the
     * {@code url} of their content (files, images, room avatars), {@code info.thumbnail_url},
     * {@code avatar_url} (members' avatars), and the {@code url} of {@code file} and
     * {@code info.thumbnail_file} (attachments of unencrypted rooms sent as encrypted files).
     * Outliers and rejected events are left out; what is no valid {@code mxc://} URI is skipped.
     */
    public List<MxcUri> mediaInRoom(RoomId roomId) {
        return Transactions.withConnection(dataSource, c -> {
            Set<String> urls = new LinkedHashSet<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT u FROM (
                        SELECT event_jsonb(json) -> 'content' AS content FROM events
                        WHERE room_id = ? AND NOT outlier AND rejected_reason IS NULL AND position(? IN json) > 0
                    ) e,
                    LATERAL (VALUES (content ->> 'url'), (content -> 'info' ->> 'thumbnail_url'),
                                    (content ->> 'avatar_url'), (content -> 'file' ->> 'url'),
                                    (content -> 'info' -> 'thumbnail_file' ->> 'url')) AS found(u)
                    WHERE jsonb_typeof(content) = 'object' AND u LIKE 'mxc://%'""")) {
                ps.setString(1, roomId.toString());
                ps.setBytes(2, MXC);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        urls.add(rs.getString(1));
                    }
                }
            }
            List<MxcUri> media = new ArrayList<>();
            for (String url : urls) {
                try {
                    media.add(MxcUri.parse(url));
                } catch (InvalidIdentifierException e) {
                    // Not media anyone can fetch: nothing to quarantine.
                }
            }
            return media;
        });
    }
}
