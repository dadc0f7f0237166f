package org.myelin.server.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.media.MediaIT.download;
import static org.myelin.server.media.MediaIT.errcode;
import static org.myelin.server.media.MediaIT.get;
import static org.myelin.server.media.MediaIT.json;
import static org.myelin.server.media.MediaIT.randomBytes;
import static org.myelin.server.media.MediaIT.send;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * Media ids made before their content ({@code POST /_matrix/media/v1/create}, then
 * {@code PUT /_matrix/media/v3/upload/{serverName}/{mediaId}}): only their creator uploads, only
 * once, before they expire; a user has at most {@code max_pending_media_uploads} waiting; a
 * download waits for the content up to its {@code timeout_ms}.
 */
class AsyncUploadIT {

    static TestHomeserver hs;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    /** {@code POST /create}; the answer's JSON, failing unless 200. */
    private static JsonNode create(TestUser user) {
        HttpResponse<byte[]> r = createResponse(user);
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        return json(r);
    }

    private static HttpResponse<byte[]> createResponse(TestUser user) {
        return send(hs, HttpRequest.newBuilder(hs.clientUri("/_matrix/media/v1/create"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + user.accessToken()));
    }

    private static String media(JsonNode created) {
        return created.path("content_uri").asText().substring("mxc://".length());
    }

    private static HttpResponse<byte[]> put(TestUser user, String media, byte[] bytes) {
        return send(hs, HttpRequest.newBuilder(hs.clientUri("/_matrix/media/v3/upload/" + media + "?filename=late.bin"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .header("Content-Type", "application/octet-stream")
                .header("Authorization", "Bearer " + user.accessToken()));
    }

    @Test
    void theCreatorUploadsOnceAndTheContentIsServed() {
        TestUser alice = hs.registerUser("alice");
        long before = System.currentTimeMillis();
        JsonNode created = create(alice);
        String media = media(created);
        assertTrue(created.path("content_uri").asText().startsWith("mxc://" + hs.serverName() + "/"));
        assertTrue(created.path("unused_expires_at").asLong() >= before + 86_400_000L, created::toString);

        HttpResponse<byte[]> notYet = get(hs, alice, "/_matrix/client/v1/media/download/" + media + "?timeout_ms=0",
                Map.of());
        assertEquals(504, notYet.statusCode());
        assertEquals("M_NOT_YET_UPLOADED", errcode(notYet));

        HttpResponse<byte[]> byOther = put(hs.registerUser("mallory"), media, new byte[] {6, 6, 6});
        assertEquals(403, byOther.statusCode());
        assertEquals("M_FORBIDDEN", errcode(byOther));

        byte[] bytes = randomBytes(50_000, 11);
        HttpResponse<byte[]> uploaded = put(alice, media, bytes);
        assertEquals(200, uploaded.statusCode());
        assertEquals("{}", new String(uploaded.body()));

        HttpResponse<byte[]> again = put(alice, media, new byte[] {1});
        assertEquals(409, again.statusCode());
        assertEquals("M_CANNOT_OVERWRITE_MEDIA", errcode(again));

        HttpResponse<byte[]> r = download(hs, alice, media);
        assertEquals(200, r.statusCode());
        assertArrayEquals(bytes, r.body());
        assertEquals("attachment; filename=late.bin", r.headers().firstValue("Content-Disposition").orElseThrow());
    }

    @Test
    void aDownloadWaitsForContentThatComesWithinItsTimeout() throws Exception {
        TestUser alice = hs.registerUser("waiting-alice");
        String media = media(create(alice));
        CompletableFuture<HttpResponse<byte[]>> waiting = CompletableFuture.supplyAsync(() ->
                get(hs, alice, "/_matrix/client/v1/media/download/" + media + "?timeout_ms=60000", Map.of()));

        byte[] bytes = randomBytes(1_000, 12);
        assertEquals(200, put(alice, media, bytes).statusCode());

        HttpResponse<byte[]> r = waiting.get();
        assertEquals(200, r.statusCode());
        assertArrayEquals(bytes, r.body());
    }

    @Test
    void anExpiredMediaIdTakesNoContentAndServesNothing() throws Exception {
        TestUser alice = hs.registerUser("late-alice");
        String media = media(create(alice));
        String mediaId = media.substring(media.lastIndexOf('/') + 1);
        // Made a day and a millisecond ago.
        try (Connection c = hs.homeserver().database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE local_media SET created_ts = created_ts - 86400001 WHERE media_id = ?")) {
            ps.setString(1, mediaId);
            assertEquals(1, ps.executeUpdate());
        }

        HttpResponse<byte[]> upload = put(alice, media, new byte[] {1, 2});
        assertEquals(404, upload.statusCode());
        assertEquals("M_NOT_FOUND", errcode(upload));
        HttpResponse<byte[]> r = get(hs, alice, "/_matrix/client/v1/media/download/" + media + "?timeout_ms=0",
                Map.of());
        assertEquals(404, r.statusCode());
    }

    @Test
    void unknownAndForeignMediaIdsTakeNoContent() {
        TestUser alice = hs.registerUser("lost-alice");
        assertEquals("M_NOT_FOUND", errcode(put(alice, hs.serverName() + "/neverCreatedHere", new byte[] {1})));
        assertEquals("M_NOT_FOUND", errcode(put(alice, "other.example.org/abc", new byte[] {1})));
        String uploaded = MediaIT.uploaded(hs, alice, "text/plain", null, new byte[] {1});
        assertEquals("M_CANNOT_OVERWRITE_MEDIA", errcode(put(alice, uploaded, new byte[] {2})),
                "media uploaded in one request has its content already");
    }

    @Test
    void aUserHasAtMostFivePendingMediaIds() {
        TestUser alice = hs.registerUser("eager-alice");
        List<String> pending = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pending.add(media(create(alice)));
        }

        HttpResponse<byte[]> sixth = createResponse(alice);
        assertEquals(429, sixth.statusCode());
        assertEquals("M_LIMIT_EXCEEDED", errcode(sixth));
        assertTrue(json(sixth).path("retry_after_ms").asLong() > 0, () -> new String(sixth.body()));

        create(hs.registerUser("patient-bob")); // another user's count is their own
        assertEquals(200, put(alice, pending.getFirst(), new byte[] {1}).statusCode());
        create(alice); // one fewer is pending
    }
}
