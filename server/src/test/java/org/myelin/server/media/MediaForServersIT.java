package org.myelin.server.media;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.media.MediaIT.errcode;
import static org.myelin.server.media.MediaIT.randomBytes;
import static org.myelin.server.media.MediaIT.uploaded;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

/**
 * Our media as another server downloads it (server-server API, "Content Repository"): signed
 * requests only, answered {@code multipart/mixed} with a JSON part ({@code {}}) and the media with
 * its type and name, which the test reads as a peer would, by RFC 2046, without our reader;
 * thumbnails once some are kept, the best fit for the size asked.
 */
class MediaForServersIT {

    static TestHomeserver hs;
    static FakeRemoteServer peer;
    static TestUser bob;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        peer = FakeRemoteServer.start();
        bob = hs.registerUser("bob");
    }

    @AfterAll
    static void stop() {
        peer.close();
        hs.close();
    }

    /** A part of a multipart body: its headers (names lower-case) and its bytes. */
    record Part(Map<String, String> headers, byte[] body) {}

    @Test
    void mediaIsServedAsAJsonPartAndAFilePart() {
        byte[] bytes = randomBytes(150_000, 11);
        String mediaId = mediaId(uploaded(hs, bob, "text/plain", "notes ☃.txt", bytes));

        HttpResponse<byte[]> r = peer.getBytes(hs, "/_matrix/federation/v1/media/download/" + mediaId);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(r.body().length, Long.parseLong(r.headers().firstValue("Content-Length").orElseThrow()));
        List<Part> parts = parts(r);
        assertEquals(2, parts.size());
        assertEquals("application/json", parts.get(0).headers().get("content-type"));
        assertEquals("{}", new String(parts.get(0).body(), StandardCharsets.UTF_8));
        assertEquals("text/plain", parts.get(1).headers().get("content-type"));
        assertEquals("inline; filename*=utf-8''notes%20%E2%98%83.txt", parts.get(1).headers().get("content-disposition"));
        assertArrayEquals(bytes, parts.get(1).body());
    }

    @Test
    void onlySignedRequestsForMediaThatExistsAreAnswered() throws Exception {
        String mediaId = mediaId(uploaded(hs, bob, "image/png", "x.png", randomBytes(100, 12)));
        HttpResponse<byte[]> unsigned = hs.https().send(HttpRequest.newBuilder(
                        hs.federationUri("/_matrix/federation/v1/media/download/" + mediaId)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(401, unsigned.statusCode());

        HttpResponse<byte[]> unknown = peer.getBytes(hs, "/_matrix/federation/v1/media/download/NoSuchMedia");
        assertEquals(404, unknown.statusCode());
        assertEquals("M_NOT_FOUND", errcode(unknown));
    }

    @Test
    void aThumbnailIsTheOneOurOwnClientsGet() throws Exception {
        byte[] png = ThumbnailIT.encode(new BufferedImage(800, 600, BufferedImage.TYPE_INT_RGB), "png");
        String mediaId = mediaId(uploaded(hs, bob, "image/png", "photo.png", png));
        String path = "/_matrix/federation/v1/media/thumbnail/" + mediaId;

        HttpResponse<byte[]> noWidth = peer.getBytes(hs, path + "?height=32");
        assertEquals(400, noWidth.statusCode());
        assertEquals("M_MISSING_PARAM", errcode(noWidth));

        HttpResponse<byte[]> cropped = peer.getBytes(hs, path + "?width=30&height=30&method=crop");
        assertEquals(200, cropped.statusCode());
        List<Part> parts = parts(cropped);
        assertEquals("{}", new String(parts.get(0).body(), StandardCharsets.UTF_8));
        assertEquals("image/png", parts.get(1).headers().get("content-type"));
        BufferedImage crop = ThumbnailIT.decode(parts.get(1).body());
        assertEquals(List.of(32, 32), List.of(crop.getWidth(), crop.getHeight()),
                "the smallest pre-generated crop at least as large as asked");

        BufferedImage scaled = ThumbnailIT.decode(parts(peer.getBytes(hs, path + "?width=300&height=200")).get(1).body());
        assertEquals(List.of(320, 240), List.of(scaled.getWidth(), scaled.getHeight()));

        HttpResponse<byte[]> text = peer.getBytes(hs, "/_matrix/federation/v1/media/thumbnail/"
                + mediaId(uploaded(hs, bob, "text/plain", "a.txt", randomBytes(100, 14))) + "?width=32&height=32");
        assertEquals(400, text.statusCode(), "not an image");
    }

    // ---- helpers ----

    private static String mediaId(String media) {
        return media.substring(media.indexOf('/') + 1);
    }

    /** The parts of a {@code multipart/*} answer, read by RFC 2046 as any peer would. */
    static List<Part> parts(HttpResponse<byte[]> r) {
        String type = r.headers().firstValue("Content-Type").orElseThrow();
        assertTrue(type.toLowerCase(Locale.ROOT).startsWith("multipart/mixed;"), type);
        String boundary = type.substring(type.indexOf("boundary=") + "boundary=".length()).trim();
        // Bytes as ISO-8859-1 characters: one each, so the split keeps every byte.
        String body = new String(r.body(), StandardCharsets.ISO_8859_1);
        String delimiter = "\r\n--" + boundary;
        String[] sections = ("\r\n" + body).split(Pattern.quote(delimiter), -1);
        List<Part> parts = new ArrayList<>();
        for (int i = 1; i < sections.length; i++) { // [0] is the preamble
            String section = sections[i];
            if (section.startsWith("--")) {
                break; // the closing delimiter
            }
            int end = section.indexOf("\r\n\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : (end <= 2 ? "" : section.substring(2, end)).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            parts.add(new Part(headers, section.substring(end + 4).getBytes(StandardCharsets.ISO_8859_1)));
        }
        return parts;
    }
}
