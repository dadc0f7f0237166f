package org.myelin.storage.media;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.myelin.protocol.id.MediaId;
import org.myelin.storage.Transactions;

/** The thumbnails kept of this server's media (table {@code local_media_thumbnails}), as they are served. */
public final class StoredThumbnails {

    private final DataSource dataSource;

    public StoredThumbnails(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Every thumbnail kept of {@code mediaId}, smallest first. */
    public List<StoredThumbnail> ofLocal(MediaId mediaId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT width, height, method, content_type, size_bytes, sha256 FROM local_media_thumbnails
                    WHERE media_id = ? ORDER BY width, height, method, content_type""")) {
                ps.setString(1, mediaId.value());
                List<StoredThumbnail> thumbnails = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        thumbnails.add(new StoredThumbnail(rs.getInt("width"), rs.getInt("height"),
                                rs.getString("method"), rs.getString("content_type"),
                                new StoredContent(new Sha256(rs.getString("sha256")), rs.getLong("size_bytes"))));
                    }
                }
                return thumbnails;
            }
        });
    }
}
