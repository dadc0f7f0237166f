package org.myelin.storage.media;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.myelin.protocol.id.UserId;
import org.myelin.storage.Transactions;

/**
 * The media a local user made, as Synapse's admin API lists it ({@code GET
 * /_synapse/admin/v1/users/{userId}/media}): uploads, ids made by {@code /create} and images of
 * the URL previews they asked for, in pages.
 */
public final class UserMediaRepository {

    /** What a page is ordered by (then by media id, ascending, as Synapse). */
    public enum Order {
        MEDIA_ID("media_id"),
        UPLOAD_NAME("upload_name"),
        CREATED_TS("created_ts"),
        LAST_ACCESS_TS("last_access_ts"),
        MEDIA_LENGTH("size_bytes"),
        MEDIA_TYPE("content_type"),
        QUARANTINED_BY("quarantined_by"),
        /** No media is protected from quarantine here: the same as {@link #MEDIA_ID}. */
        SAFE_FROM_QUARANTINE("media_id");

        private final String column;

        Order(String column) {
            this.column = column;
        }
    }

    /**
     * One media of the user.
     *
     * @param mediaLength   its size, null while an id made by {@code /create} waits for content
     * @param mediaType     its type, null likewise
     * @param lastAccessTs  when it was last served, null if never recorded
     */
    public record UserMedia(String mediaId, String mediaType, Long mediaLength, String uploadName, long createdTs,
                            Long lastAccessTs, String quarantinedBy) {}

    /** A page of the user's media, and how many they have. */
    public record Page(List<UserMedia> media, long total) {}

    private final DataSource dataSource;

    public UserMediaRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** {@code limit} of {@code user}'s media from offset {@code from}, in {@code order}, reversed if not {@code forwards}. */
    public Page page(UserId user, long from, int limit, Order order, boolean forwards) {
        return Transactions.inTransaction(dataSource, c -> {
            long total;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM local_media WHERE uploader = ?")) {
                ps.setString(1, user.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            String direction = forwards ? "ASC NULLS FIRST" : "DESC NULLS LAST";
            List<UserMedia> media = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT media_id, content_type, size_bytes, upload_name, created_ts, last_access_ts, quarantined_by
                    FROM local_media WHERE uploader = ?
                    ORDER BY %s %s, media_id ASC OFFSET ? LIMIT ?""".formatted(order.column, direction))) {
                ps.setString(1, user.toString());
                ps.setLong(2, from);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        media.add(read(rs));
                    }
                }
            }
            return new Page(media, total);
        });
    }

    private static UserMedia read(ResultSet rs) throws SQLException {
        long size = rs.getLong("size_bytes");
        Long length = rs.wasNull() ? null : size;
        long access = rs.getLong("last_access_ts");
        Long lastAccess = rs.wasNull() ? null : access;
        return new UserMedia(rs.getString("media_id"), rs.getString("content_type"), length,
                rs.getString("upload_name"), rs.getLong("created_ts"), lastAccess, rs.getString("quarantined_by"));
    }
}
