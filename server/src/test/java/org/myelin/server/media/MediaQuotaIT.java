package org.myelin.server.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.myelin.server.media.MediaIT.download;
import static org.myelin.server.media.MediaIT.errcode;
import static org.myelin.server.media.MediaIT.json;
import static org.myelin.server.media.MediaIT.randomBytes;
import static org.myelin.server.media.MediaIT.send;
import static org.myelin.server.media.MediaIT.upload;
import static org.myelin.server.media.MediaIT.uploaded;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * A per-user storage quota ({@code media.max_user_storage_bytes}): an upload that would take a
 * user past it is refused with 403 {@code M_USER_LIMIT_EXCEEDED} and the configured
 * {@code info_uri} (the spec's code for a user's storage quota), before its body is read when
 * it declares its length, after otherwise, and nothing of it is kept; what an admin deletes no
 * longer counts; other users have quotas of their own.
 */
class MediaQuotaIT {

    private static final long QUOTA = 10_000;
    private static final String INFO = "https://example.org/storage-quota";

    static TestHomeserver hs;
    static TestUser admin;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder().configure(c -> c
                .withRegistration(new HomeserverConfig.Registration(true, true, false, false, AdminMediaIT.SECRET))
                .withMedia(c.media().withUserStorageQuota(QUOTA, INFO))).start();
        admin = AdminMediaIT.registerAdmin(hs, AdminMediaIT.SECRET, "admin");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    @Test
    void anUploadPastTheQuotaIsRefusedAndNotKept() throws Exception {
        TestUser alice = hs.registerUser("alice");
        byte[] first = randomBytes(6_000, 1);
        String kept = uploaded(hs, alice, "application/octet-stream", "a.bin", first);
        uploaded(hs, alice, "application/octet-stream", "b.bin", randomBytes(3_000, 2));

        byte[] over = randomBytes(2_000, 3);
        HttpResponse<byte[]> declared = upload(hs, alice, "/_matrix/media/v3/upload", "application/octet-stream", over);
        assertRefused(declared);
        assertFalse(Files.exists(AdminMediaIT.blob(hs, over)), "nothing of it kept");

        HttpResponse<byte[]> streamed = send(hs, HttpRequest.newBuilder(hs.clientUri("/_matrix/media/v3/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(over)))
                .header("Authorization", "Bearer " + alice.accessToken()));
        assertRefused(streamed);
        assertFalse(Files.exists(AdminMediaIT.blob(hs, over)), "a body without a length is dropped once read");

        assertRefused(upload(hs, alice, "/_matrix/media/v3/upload", "application/octet-stream", first));
        assertArrayEquals(first, download(hs, alice, kept).body(),
                "the same bytes refused again leave the file of the media that has them");

        String created = hs.expect(200, alice, "POST", "/_matrix/media/v1/create", "{}")
                .path("content_uri").asText().substring("mxc://".length());
        HttpResponse<byte[]> filled = send(hs, HttpRequest.newBuilder(hs.clientUri("/_matrix/media/v3/upload/" + created))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(over))
                .header("Authorization", "Bearer " + alice.accessToken()));
        assertRefused(filled);

        TestUser bob = hs.registerUser("bob");
        uploaded(hs, bob, "application/octet-stream", "bob.bin", over);

        HttpResponse<String> deleted = hs.authed(admin.accessToken(), "DELETE", "/_synapse/admin/v1/media/" + kept, null);
        assertEquals(200, deleted.statusCode(), deleted.body());
        uploaded(hs, alice, "application/octet-stream", "c.bin", randomBytes(2_000, 4));
    }

    private static void assertRefused(HttpResponse<byte[]> r) {
        assertEquals(403, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("M_USER_LIMIT_EXCEEDED", errcode(r));
        assertEquals(INFO, json(r).path("info_uri").asText());
    }
}
