package org.myelin.server.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.http.Json;
import org.myelin.server.testing.RawHttpConnection;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * The content repository over real HTTP (client-server API, "Content repository"): uploads in one
 * request, downloads with their headers and ranges, content stored once per hash, the upload
 * limit, and who may download what.
 */
class MediaIT {

    /** Small enough to pass in a test, large enough that an upload under it pauses its sender (1 MiB queued). */
    static final long MAX_UPLOAD = 4L * 1024 * 1024;

    static TestHomeserver hs;
    static TestUser alice;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.builder()
                .configure(c -> c.withMedia(c.media().withMaxUploadSize(MAX_UPLOAD)))
                .start();
        alice = hs.registerUser("alice");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    // ---- helpers, shared with the other media tests ----

    static HttpResponse<byte[]> send(TestHomeserver hs, HttpRequest.Builder request) {
        try {
            return hs.http().send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(response.body(), StandardCharsets.UTF_8), e);
        }
    }

    /** {@code POST /_matrix/media/v3/upload}; the answer. */
    static HttpResponse<byte[]> upload(TestHomeserver hs, TestUser user, String path, String contentType,
                                       byte[] bytes) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hs.clientUri(path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .header("Authorization", "Bearer " + user.accessToken());
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(hs, request);
    }

    /** Uploads and returns the media's {@code server/mediaId}. */
    static String uploaded(TestHomeserver hs, TestUser user, String contentType, String fileName, byte[] bytes) {
        HttpResponse<byte[]> r = upload(hs, user, "/_matrix/media/v3/upload"
                + (fileName == null ? "" : "?filename=" + TestHomeserver.enc(fileName)), contentType, bytes);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        String uri = json(r).path("content_uri").asText();
        assertTrue(uri.startsWith("mxc://" + hs.serverName() + "/"), uri);
        return uri.substring("mxc://".length());
    }

    static HttpResponse<byte[]> get(TestHomeserver hs, TestUser user, String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hs.clientUri(path)).GET();
        if (user != null) {
            request.header("Authorization", "Bearer " + user.accessToken());
        }
        headers.forEach(request::header);
        return send(hs, request);
    }

    static HttpResponse<byte[]> download(TestHomeserver hs, TestUser user, String media) {
        return get(hs, user, "/_matrix/client/v1/media/download/" + media, Map.of());
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String errcode(HttpResponse<byte[]> response) {
        return json(response).path("errcode").asText();
    }

    private static List<Path> files(String dir) throws IOException {
        Path root = hs.dataDir().resolve("media").resolve(dir);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    // ---- tests ----

    @Test
    void anUploadIsDownloadedAsItWasSent() {
        // 3 MiB: more than the 1 MiB queued at which the sender is paused until the disk catches up.
        byte[] png = randomBytes(3 * 1024 * 1024, 1);
        String media = uploaded(hs, alice, "image/png", "cat.png", png);
        assertEquals(24, media.substring(media.lastIndexOf('/') + 1).length(), media);

        HttpResponse<byte[]> r = download(hs, alice, media);

        assertEquals(200, r.statusCode());
        assertArrayEquals(png, r.body());
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(Long.toString(png.length), r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("inline; filename=cat.png", r.headers().firstValue("Content-Disposition").orElseThrow());
        assertEquals("cross-origin", r.headers().firstValue("Cross-Origin-Resource-Policy").orElseThrow());
        assertEquals("public,max-age=86400,s-maxage=86400", r.headers().firstValue("Cache-Control").orElseThrow());
    }

    @Test
    void theSameBytesUploadedTwiceAreTwoMediaIdsAndOneFile() throws Exception {
        byte[] bytes = randomBytes(100_000, 2);
        String first = uploaded(hs, alice, "application/pdf", "a.pdf", bytes);
        String second = uploaded(hs, hs.registerUser("bob"), "application/pdf", "b.pdf", bytes);

        assertNotEquals(first, second);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertEquals(1, files("sha256").stream().filter(p -> p.getFileName().toString().equals(hash)).count());
        assertArrayEquals(bytes, download(hs, alice, first).body());
        assertArrayEquals(bytes, download(hs, alice, second).body());
        assertEquals("attachment; filename=b.pdf",
                download(hs, alice, second).headers().firstValue("Content-Disposition").orElseThrow(),
                "each media id keeps its own name");
    }

    @Test
    void aDeclaredLengthPastTheLimitIsRefusedBeforeTheBodyIsSent() throws Exception {
        try (RawHttpConnection c = RawHttpConnection.open(hs.clientPort(), Duration.ofSeconds(30))) {
            c.head("POST", "/_matrix/media/v3/upload", Map.of("Authorization", "Bearer " + alice.accessToken(),
                    "Content-Type", "application/octet-stream", "Content-Length", Long.toString(MAX_UPLOAD + 1)));
            RawHttpConnection.Response r = c.read(); // not a byte of the body sent

            assertEquals(413, r.status(), r.body());
            assertEquals("M_TOO_LARGE", Json.MAPPER.readTree(r.body()).path("errcode").asText());
        }
        assertEquals(List.of(), files("tmp"));
    }

    @Test
    void aChunkedBodyPastTheLimitIsRefusedOnceItPassesAndLeavesNoFile() throws Exception {
        List<Path> before = files("sha256");
        try (RawHttpConnection c = RawHttpConnection.open(hs.clientPort(), Duration.ofSeconds(30))) {
            c.head("POST", "/_matrix/media/v3/upload", Map.of("Authorization", "Bearer " + alice.accessToken(),
                    "Content-Type", "application/octet-stream", "Transfer-Encoding", "chunked"));
            byte[] chunk = randomBytes(64 * 1024, 3);
            for (long sent = 0; sent < MAX_UPLOAD; sent += chunk.length) {
                c.chunk(chunk);
            }
            c.chunk(new byte[] {1}); // one byte past the limit, and the body is not finished
            RawHttpConnection.Response r = c.read();

            assertEquals(413, r.status(), r.body());
            assertEquals("M_TOO_LARGE", Json.MAPPER.readTree(r.body()).path("errcode").asText());
        }
        assertEquals(List.of(), files("tmp"));
        assertEquals(before, files("sha256"));
    }

    @Test
    void aBodyAtTheLimitIsTaken() {
        byte[] bytes = randomBytes((int) MAX_UPLOAD, 4);
        assertArrayEquals(bytes, download(hs, alice, uploaded(hs, alice, null, null, bytes)).body());
    }

    @Test
    void htmlIsAnAttachmentThatABrowserRunsNothingOf() {
        String media = uploaded(hs, alice, "text/html", "page.html",
                "<script>alert(1)</script>".getBytes(StandardCharsets.UTF_8));

        HttpResponse<byte[]> r = download(hs, alice, media);

        assertEquals(200, r.statusCode());
        assertEquals("text/html; charset=UTF-8", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("attachment; filename=page.html", r.headers().firstValue("Content-Disposition").orElseThrow());
        assertEquals("sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf;"
                        + " style-src 'unsafe-inline'; media-src 'self'; object-src 'self';",
                r.headers().firstValue("Content-Security-Policy").orElseThrow());
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow());
    }

    @Test
    void contentWithoutATypeOrNameIsAnOctetStreamAttachment() {
        String media = uploaded(hs, alice, null, null, new byte[] {1, 2, 3});
        HttpResponse<byte[]> r = download(hs, alice, media);
        assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("attachment", r.headers().firstValue("Content-Disposition").orElseThrow());
    }

    @Test
    void aFileNameInThePathOverridesTheUploadedOne() {
        String media = uploaded(hs, alice, "text/plain", "notes.txt", "hi".getBytes(StandardCharsets.UTF_8));

        HttpResponse<byte[]> r = get(hs, alice, "/_matrix/client/v1/media/download/" + media + "/"
                + TestHomeserver.enc("résumé 2026.txt"), Map.of());

        assertEquals(200, r.statusCode());
        assertEquals("inline; filename*=utf-8''r%C3%A9sum%C3%A9%202026.txt",
                r.headers().firstValue("Content-Disposition").orElseThrow());
    }

    @Test
    void aSingleRangeIsServedAsPartialContent() {
        byte[] video = randomBytes(10_000, 5);
        String media = uploaded(hs, alice, "video/mp4", "clip.mp4", video);

        HttpResponse<byte[]> middle = get(hs, alice, "/_matrix/client/v1/media/download/" + media,
                Map.of("Range", "bytes=100-199"));
        assertEquals(206, middle.statusCode());
        assertEquals("bytes 100-199/10000", middle.headers().firstValue("Content-Range").orElseThrow());
        assertEquals("100", middle.headers().firstValue("Content-Length").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(video, 100, 200), middle.body());

        HttpResponse<byte[]> tail = get(hs, alice, "/_matrix/client/v1/media/download/" + media,
                Map.of("Range", "bytes=-10"));
        assertEquals(206, tail.statusCode());
        assertArrayEquals(Arrays.copyOfRange(video, 9_990, 10_000), tail.body());

        HttpResponse<byte[]> rest = get(hs, alice, "/_matrix/client/v1/media/download/" + media,
                Map.of("Range", "bytes=9000-"));
        assertEquals("bytes 9000-9999/10000", rest.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(video, 9_000, 10_000), rest.body());

        HttpResponse<byte[]> past = get(hs, alice, "/_matrix/client/v1/media/download/" + media,
                Map.of("Range", "bytes=10000-"));
        assertEquals(416, past.statusCode());
        assertEquals("bytes */10000", past.headers().firstValue("Content-Range").orElseThrow());

        HttpResponse<byte[]> several = get(hs, alice, "/_matrix/client/v1/media/download/" + media,
                Map.of("Range", "bytes=0-1,5-6"));
        assertEquals(200, several.statusCode(), "several ranges are served whole");
        assertArrayEquals(video, several.body());
    }

    @Test
    void newMediaIsNotServedByTheUnauthenticatedEndpoints() {
        String media = uploaded(hs, alice, "image/png", "new.png", randomBytes(100, 6));

        HttpResponse<byte[]> legacy = get(hs, null, "/_matrix/media/v3/download/" + media, Map.of());
        assertEquals(404, legacy.statusCode());
        assertEquals("M_NOT_FOUND", errcode(legacy));
        assertEquals(404, get(hs, null, "/_matrix/media/r0/download/" + media + "/new.png", Map.of()).statusCode());
        assertEquals(200, download(hs, alice, media).statusCode());
    }

    @Test
    void theAuthenticatedEndpointsWantAToken() {
        String media = uploaded(hs, alice, "image/png", "x.png", randomBytes(100, 7));
        for (String path : List.of("/_matrix/client/v1/media/download/" + media,
                "/_matrix/client/v1/media/download/" + media + "/x.png", "/_matrix/client/v1/media/config",
                "/_matrix/media/v3/config")) {
            HttpResponse<byte[]> r = get(hs, null, path, Map.of());
            assertEquals(401, r.statusCode(), path);
            assertEquals("M_MISSING_TOKEN", errcode(r), path);
        }
        HttpResponse<byte[]> upload = send(hs, HttpRequest.newBuilder(hs.clientUri("/_matrix/media/v3/upload"))
                .POST(HttpRequest.BodyPublishers.ofString("anonymous")));
        assertEquals(401, upload.statusCode());
        assertEquals("M_MISSING_TOKEN", errcode(upload));
        HttpResponse<byte[]> create = send(hs, HttpRequest.newBuilder(hs.clientUri("/_matrix/media/v1/create"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(401, create.statusCode());
    }

    @Test
    void theConfigSaysTheUploadLimit() {
        for (String path : List.of("/_matrix/client/v1/media/config", "/_matrix/media/v3/config")) {
            HttpResponse<byte[]> r = get(hs, alice, path, Map.of());
            assertEquals(200, r.statusCode(), path);
            assertEquals(MAX_UPLOAD, json(r).path("m.upload.size").asLong(), path);
        }
    }

    @Test
    void unknownMediaAndOtherServersMediaNotToBeFetchedAreNotFound() {
        // Other servers' media fetched (or not) over federation: FederatedMediaIT.
        for (String media : List.of(hs.serverName() + "/neverUploadedAnything",
                "elsewhere.example.org/abcdef?allow_remote=false", hs.serverName() + "/bad.id")) {
            HttpResponse<byte[]> r = download(hs, alice, media);
            assertEquals(404, r.statusCode(), media);
            assertEquals("M_NOT_FOUND", errcode(r), media);
        }
    }

    @Test
    void theOlderUploadPathsAreServedToo() {
        byte[] bytes = "r0".getBytes(StandardCharsets.UTF_8);
        for (String path : List.of("/_matrix/media/r0/upload", "/_matrix/media/v1/upload")) {
            HttpResponse<byte[]> r = upload(hs, alice, path, "text/plain", bytes);
            assertEquals(200, r.statusCode(), path);
            String media = json(r).path("content_uri").asText().substring("mxc://".length());
            assertArrayEquals(bytes, download(hs, alice, media).body(), path);
        }
        assertFalse(json(upload(hs, alice, "/_matrix/media/v3/upload", "text/plain", bytes))
                .path("content_uri").asText().isEmpty());
    }
}
