package org.myelin.server.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.myelin.server.media.MediaIT.download;
import static org.myelin.server.media.MediaIT.get;
import static org.myelin.server.media.MediaIT.randomBytes;
import static org.myelin.server.media.MediaIT.uploaded;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * The spec's "freeze" of unauthenticated media (client-server API, "Content repository", v1.11):
 * media uploaded before {@code media.enable_authenticated_media} was turned on is still served by
 * the deprecated {@code /_matrix/media/v3/download}; media uploaded after, only by the
 * authenticated endpoints.
 */
class AuthenticatedMediaIT {

    @Test
    void mediaFromBeforeTheFreezeIsStillServedWithoutAToken() {
        try (TestHomeserver hs = TestHomeserver.builder()
                .configure(c -> c.withMedia(c.media().withEnableAuthenticatedMedia(false)))
                .start()) {
            TestUser alice = hs.registerUser("alice");
            byte[] old = randomBytes(1_000, 21);
            String before = uploaded(hs, alice, "image/png", "old.png", old);
            assertEquals(200, get(hs, null, "/_matrix/media/v3/download/" + before, Map.of()).statusCode(),
                    "served without a token while authenticated media is off");

            hs.restart(c -> c.withMedia(c.media().withEnableAuthenticatedMedia(true)));

            HttpResponse<byte[]> legacy = get(hs, null, "/_matrix/media/v3/download/" + before + "/old.png", Map.of());
            assertEquals(200, legacy.statusCode());
            assertArrayEquals(old, legacy.body());
            String after = uploaded(hs, alice, "image/png", "new.png", randomBytes(1_000, 22));
            assertEquals(404, get(hs, null, "/_matrix/media/v3/download/" + after, Map.of()).statusCode());
            assertEquals(200, download(hs, alice, after).statusCode());
            assertEquals(200, download(hs, alice, before).statusCode());
        }
    }
}
