package org.myelin.server.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.media.MediaIT.download;
import static org.myelin.server.media.MediaIT.errcode;
import static org.myelin.server.media.MediaIT.uploaded;
import static org.myelin.server.media.ThumbnailIT.decode;
import static org.myelin.server.media.ThumbnailIT.encode;
import static org.myelin.server.media.ThumbnailIT.stripes;
import static org.myelin.server.media.ThumbnailIT.thumbnail;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.Resource;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * Thumbnails of other servers' media (client-server API, "Thumbnails"; server-server API,
 * {@code GET /_matrix/federation/v1/media/thumbnail/{mediaId}}), on two servers over real TLS: A
 * asks B for the thumbnail rather than the whole media, once per request, and keeps it; once A
 * has the media itself, it thumbnails it without asking; an origin that does not know the
 * federation endpoint is asked at the deprecated one; one that cannot thumbnail leads A to fetch
 * the media and thumbnail it itself; one without the media makes it 404.
 */
class RemoteThumbnailIT {

    static TestHomeserver a;
    static TestHomeserver b;
    static FakeRemoteServer fake;
    static TestUser alice;
    static TestUser bob;
    static final FederatedMediaIT.MediaGate bGate = new FederatedMediaIT.MediaGate("/_matrix/federation/v1/media/*");

    @BeforeAll
    static void boot() {
        b = TestHomeserver.builder().routes(Resource.FEDERATION, bGate).start();
        a = TestHomeserver.start();
        fake = FakeRemoteServer.start();
        alice = a.registerUser("alice");
        bob = b.registerUser("bob");
    }

    @AfterAll
    static void stop() {
        fake.close();
        a.close();
        b.close();
    }

    @Test
    void theOriginIsAskedForTheThumbnailOnceAndNotForTheMedia() {
        byte[] png = encode(stripes(800, 600, Color.RED, Color.GREEN), "png");
        String media = uploaded(b, bob, "image/png", "wide.png", png);

        HttpResponse<byte[]> first = thumbnail(a, alice, media, "width=32&height=32&method=crop");
        assertEquals(200, first.statusCode(), () -> new String(first.body(), StandardCharsets.UTF_8));
        BufferedImage image = decode(first.body());
        assertEquals(32, image.getWidth());
        assertEquals(32, image.getHeight());
        assertEquals(1, asked("thumbnail", media));
        assertEquals(0, asked("download", media), "the whole media was not fetched");

        HttpResponse<byte[]> again = thumbnail(a, alice, media, "width=32&height=32&method=crop");
        assertArrayEquals(first.body(), again.body());
        assertEquals(1, asked("thumbnail", media), "kept: B is not asked again");
        assertEquals(200, thumbnail(a, alice, media, "width=320&height=240&method=scale").statusCode());
        assertEquals(2, asked("thumbnail", media), "another request, another thumbnail");

        assertArrayEquals(png, download(a, alice, media).body());
        assertEquals(1, asked("download", media));
        HttpResponse<byte[]> local = thumbnail(a, alice, media, "width=96&height=96&method=crop");
        assertEquals(200, local.statusCode());
        assertEquals(96, decode(local.body()).getWidth());
        assertEquals(2, asked("thumbnail", media), "the media cached, A thumbnails it itself");
    }

    @Test
    void mediaTheOriginCannotThumbnailOrDoesNotHaveAnswersAsBefore() {
        String text = uploaded(b, bob, "text/plain", "notes.txt", "not an image".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> notImage = thumbnail(a, alice, text, "width=32&height=32");
        assertEquals(400, notImage.statusCode(), "B could not thumbnail it, nor could A once it fetched it");
        assertEquals(1, asked("thumbnail", text));
        assertEquals(1, asked("download", text));

        HttpResponse<byte[]> missing = thumbnail(a, alice, b.serverName() + "/NoSuchMedia", "width=32&height=32");
        assertEquals(404, missing.statusCode());
        assertEquals("M_NOT_FOUND", errcode(missing));
        assertEquals(0, asked("download", b.serverName() + "/NoSuchMedia"), "B said it has none");
    }

    @Test
    void anOlderOriginIsAskedAtTheDeprecatedEndpoint() {
        byte[] jpeg = encode(stripes(64, 48, Color.BLUE), "jpg");
        String path = "/_matrix/media/v3/thumbnail/" + fake.serverName() + "/older";
        fake.answerRaw(path, new FakeRemoteServer.RawAnswer(200, Map.of("Content-Type", "image/jpeg"), jpeg, false));
        HttpResponse<byte[]> r = thumbnail(a, alice, fake.serverName() + "/older", "width=64&height=48&method=scale");
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertArrayEquals(jpeg, r.body());
        assertEquals("image/jpeg", r.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(fake.requestUris().contains(path + "?width=64&height=48&method=scale&animated=false"
                + "&timeout_ms=20000&allow_remote=false&allow_redirect=true"), fake.requestUris().toString());
    }

    private static int asked(String endpoint, String media) {
        String mediaId = media.substring(media.lastIndexOf('/') + 1);
        return (int) bGate.asked.stream()
                .filter(uri -> uri.split("\\?")[0].equals("/_matrix/federation/v1/media/" + endpoint + "/" + mediaId))
                .count();
    }
}
