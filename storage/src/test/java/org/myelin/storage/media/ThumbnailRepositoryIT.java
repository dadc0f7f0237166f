package org.myelin.storage.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.MxcUri;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.id.UserId;
import org.myelin.storage.Database;
import org.myelin.storage.testing.TestDatabases;

class ThumbnailRepositoryIT {

    private static final ServerName HERE = ServerName.parse("example.org");
    private static final ServerName THERE = ServerName.parse("remote.example");

    private static Database database;
    private static ThumbnailRepository thumbnails;
    private static MediaRepository media;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
        thumbnails = new ThumbnailRepository(database.dataSource(), HERE);
        media = new MediaRepository(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static StoredThumbnail thumbnail(int w, int h, String method, char hash) {
        return new StoredThumbnail(w, h, method, "image/png",
                new StoredContent(new Sha256(String.valueOf(hash).repeat(64)), w * 10L));
    }

    @Test
    void localThumbnailsAreListedInTheOrderMadeAndMadeAgainInPlace() {
        MediaId id = MediaId.parse("localImage");
        media.insertUploaded(id, UserId.parse("@alice:example.org"), true,
                new LocalMedia.Upload("image/png", null, new StoredContent(new Sha256("0".repeat(64)), 9), 1));
        MxcUri mxc = new MxcUri(HERE, id);

        thumbnails.put(mxc, thumbnail(32, 32, "crop", 'a'), 10);
        thumbnails.put(mxc, thumbnail(320, 240, "scale", 'b'), 11);
        thumbnails.put(mxc, thumbnail(32, 32, "crop", 'c'), 12); // its content had gone: made again

        assertEquals(List.of(thumbnail(32, 32, "crop", 'c'), thumbnail(320, 240, "scale", 'b')), thumbnails.list(mxc));
        assertEquals(List.of(), thumbnails.list(new MxcUri(HERE, MediaId.parse("other"))));
        assertEquals(1, media.references(new Sha256("c".repeat(64))), "a thumbnail's content is referenced");
    }

    @Test
    void remoteThumbnailsAreKeptByOrigin() throws SQLException {
        MediaId id = MediaId.parse("remoteImage");
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO remote_media (origin, media_id, content_type, size_bytes, sha256, fetched_ts, authenticated)
                     VALUES (?, ?, 'image/jpeg', 9, ?, 1, true)""")) {
            ps.setString(1, THERE.toString());
            ps.setString(2, id.value());
            ps.setString(3, "1".repeat(64));
            ps.executeUpdate();
        }
        MxcUri mxc = new MxcUri(THERE, id);

        thumbnails.put(mxc, thumbnail(96, 96, "crop", 'd'), 10);

        assertEquals(List.of(thumbnail(96, 96, "crop", 'd')), thumbnails.list(mxc));
        assertEquals(List.of(), thumbnails.list(new MxcUri(HERE, id)), "not this server's media of the same id");
    }
}
