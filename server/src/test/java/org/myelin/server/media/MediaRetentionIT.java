package org.myelin.server.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.media.MediaIT.download;
import static org.myelin.server.media.MediaIT.uploaded;
import static org.myelin.server.media.ThumbnailIT.encode;
import static org.myelin.server.media.ThumbnailIT.stripes;
import static org.myelin.server.media.ThumbnailIT.thumbnail;

import java.awt.Color;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.id.MxcUri;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.config.Resource;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * Retention of other servers' media ({@code media.media_retention.remote_media_lifetime_ms}): a
 * run deletes what was not served for the lifetime, with its thumbnails and file, and asked for
 * again it is fetched again; what was served since, and what is quarantined, stays. Runs are
 * started by the test, at a time of its choosing, not waited for.
 */
class MediaRetentionIT {

    private static final long LIFETIME_MS = 3_600_000L;

    static TestHomeserver a;
    static TestHomeserver b;
    static TestUser admin;
    static TestUser alice;
    static TestUser bob;
    static final FederatedMediaIT.MediaGate bGate = new FederatedMediaIT.MediaGate("/_matrix/federation/v1/media/*");

    @BeforeAll
    static void boot() {
        b = TestHomeserver.builder().routes(Resource.FEDERATION, bGate).start();
        a = TestHomeserver.builder().configure(c -> c
                .withRegistration(new HomeserverConfig.Registration(true, true, false, false, AdminMediaIT.SECRET))
                .withMedia(c.media().withMediaRetention(new HomeserverConfig.MediaRetention(LIFETIME_MS)))).start();
        admin = AdminMediaIT.registerAdmin(a, AdminMediaIT.SECRET, "admin");
        alice = a.registerUser("alice");
        bob = b.registerUser("bob");
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
    }

    @Test
    void remoteMediaNotServedForItsLifetimeIsDeletedAndFetchedAgain() throws Exception {
        byte[] png = encode(stripes(300, 200, Color.RED, Color.YELLOW), "png");
        String old = uploaded(b, bob, "image/png", "old.png", png);
        byte[] quarantinedBytes = "kept in quarantine".getBytes(StandardCharsets.UTF_8);
        String quarantined = uploaded(b, bob, "text/plain", "q.txt", quarantinedBytes);
        assertEquals(200, download(a, alice, old).statusCode());
        HttpResponse<byte[]> thumb = thumbnail(a, alice, old, "width=50&height=50&method=crop");
        assertEquals(200, thumb.statusCode());
        assertEquals(200, download(a, alice, quarantined).statusCode());
        byte[] onlyThumbnailed = encode(stripes(200, 200, Color.CYAN), "png");
        String thumbnailOnly = uploaded(b, bob, "image/png", "t.png", onlyThumbnailed);
        HttpResponse<byte[]> originThumb = thumbnail(a, alice, thumbnailOnly, "width=40&height=40&method=crop");
        assertEquals(200, originThumb.statusCode(), "a thumbnail fetched from B, the media not");
        Path originThumbFile = AdminMediaIT.blob(a, originThumb.body());
        assertEquals(200, a.authed(admin.accessToken(), "POST", "/_synapse/admin/v1/media/quarantine/" + quarantined,
                "{}").statusCode());
        Path file = AdminMediaIT.blob(a, png);
        Path thumbFile = AdminMediaIT.blob(a, thumb.body());
        assertTrue(Files.exists(file) && Files.exists(thumbFile));

        MediaServices media = a.homeserver().media();
        assertEquals(0, media.retention.run(System.currentTimeMillis()).remoteMedia(), "all served just now");

        MediaRetention.Report report = media.retention.run(System.currentTimeMillis() + LIFETIME_MS + 60_000);
        assertEquals(2, report.remoteMedia(), "the quarantined media stays");
        assertFalse(Files.exists(file), "its file went");
        assertFalse(Files.exists(originThumbFile), "as did the thumbnail fetched from the origin");
        assertFalse(Files.exists(thumbFile), "its thumbnail's too");
        assertEquals(0, media.thumbnailRows.list(MxcUri.parse("mxc://" + old)).size());
        assertTrue(Files.exists(AdminMediaIT.blob(a, quarantinedBytes)));

        assertEquals(1, bGate.asked(old));
        HttpResponse<byte[]> again = download(a, alice, old);
        assertEquals(200, again.statusCode());
        assertArrayEquals(png, again.body());
        assertEquals(2, bGate.asked(old), "asked for again, it was fetched again");
        assertTrue(Files.exists(file));

        assertEquals(200, a.authed(admin.accessToken(), "POST", "/_synapse/admin/v1/media/unquarantine/" + quarantined,
                "{}").statusCode());
        assertArrayEquals(quarantinedBytes, download(a, alice, quarantined).body());
        assertEquals(1, bGate.asked(quarantined), "kept through its quarantine, not fetched again");
    }
}
