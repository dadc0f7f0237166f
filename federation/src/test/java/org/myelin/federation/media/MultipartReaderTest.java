package org.myelin.federation.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The federation media answer as Synapse frames it (a CRLF, then the JSON part, then the media),
 * and as RFC 2046 allows others to: read part by part, whatever the chunks the bytes come in, and
 * a truncated body refused rather than taken for the whole file.
 */
class MultipartReaderTest {

    private static final String BOUNDARY = "6067d4698f8d40a0a794ea7d7379d53a";

    /** Synapse's framing (synapse/media/media_storage.py, MultipartFileConsumer). */
    static byte[] synapseAnswer(String boundary, String type, String disposition, byte[] media) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("\r\n--" + boundary + "\r\nContent-Type: application/json\r\n\r\n{}\r\n--" + boundary
                + "\r\nContent-Type: " + type + "\r\nContent-Disposition: " + disposition + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.writeBytes(media);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** A stream that gives at most {@code chunk} bytes per read, as a network does. */
    static InputStream trickling(byte[] bytes, int chunk) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    @Test
    void readsTheJsonPartAndTheMediaOfSynapsesAnswerWhateverTheChunks() throws IOException {
        byte[] media = new byte[200_000];
        new Random(7).nextBytes(media);
        byte[] body = synapseAnswer(BOUNDARY, "image/png", "inline; filename=cat.png", media);
        for (int chunk : new int[] {1, 7, 4096, 1 << 20}) {
            MultipartReader reader = new MultipartReader(trickling(body, chunk), BOUNDARY);
            MultipartReader.Part json = reader.next().orElseThrow();
            assertEquals(Optional.of("application/json"), json.header("Content-Type"));
            assertEquals("{}", new String(json.body().readAllBytes(), StandardCharsets.UTF_8));
            MultipartReader.Part file = reader.next().orElseThrow();
            assertEquals(Optional.of("image/png"), file.header("content-type"));
            assertEquals(Optional.of("inline; filename=cat.png"), file.header("Content-Disposition"));
            assertArrayEquals(media, file.body().readAllBytes(), "chunks of " + chunk);
            assertTrue(reader.next().isEmpty());
        }
    }

    @Test
    void mediaThatLooksLikeADelimiterIsKeptWhole() throws IOException {
        byte[] media = ("a\r\n--" + BOUNDARY.substring(0, 20) + "\r\n--\r\n-" + BOUNDARY + "x")
                .getBytes(StandardCharsets.US_ASCII);
        MultipartReader reader = new MultipartReader(trickling(synapseAnswer(BOUNDARY, "text/plain", "inline", media), 3),
                BOUNDARY);
        reader.next().orElseThrow();
        assertArrayEquals(media, reader.next().orElseThrow().body().readAllBytes());
    }

    @Test
    void aBodyOpeningWithTheDelimiterAndAPreambleAreRead() throws IOException {
        String body = "preamble to ignore\r\n--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b \t\r\n"
                + "Content-Type: text/plain\r\n\r\nhello\r\n--b--";
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(body.getBytes(StandardCharsets.US_ASCII)),
                "b");
        reader.next().orElseThrow(); // the JSON part, not read: skipped
        assertEquals("hello", new String(reader.next().orElseThrow().body().readAllBytes(), StandardCharsets.US_ASCII));
        assertTrue(reader.next().isEmpty());

        MultipartReader direct = new MultipartReader(new ByteArrayInputStream(
                "--b\r\n\r\n{}\r\n--b--\r\n".getBytes(StandardCharsets.US_ASCII)), "b");
        assertEquals("{}", new String(direct.next().orElseThrow().body().readAllBytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void aTruncatedBodyFailsTheReadOfItsLastPart() throws IOException {
        byte[] whole = synapseAnswer(BOUNDARY, "image/png", "inline", new byte[10_000]);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 200);
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(cut), BOUNDARY);
        reader.next().orElseThrow();
        InputStream media = reader.next().orElseThrow().body();
        assertThrows(IOException.class, media::readAllBytes);
    }

    @Test
    void somethingElseThanMultipartIsRefused() {
        MultipartReader reader = new MultipartReader(new ByteArrayInputStream(
                "{\"errcode\":\"M_UNKNOWN\"}".getBytes(StandardCharsets.US_ASCII)), BOUNDARY);
        assertThrows(IOException.class, reader::next);
    }

    @Test
    void anEndlessPreambleIsRefusedRatherThanReadForever() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };
        assertThrows(IOException.class, () -> new MultipartReader(endless, BOUNDARY).next());
    }

    @Test
    void theBoundaryComesFromAMultipartContentType() {
        assertEquals(Optional.of("abc"), MultipartReader.boundaryOf("multipart/mixed; boundary=abc"));
        assertEquals(Optional.of("a b"), MultipartReader.boundaryOf("Multipart/Mixed;charset=x; Boundary=\"a b\""));
        assertEquals(Optional.empty(), MultipartReader.boundaryOf("application/json"));
        assertEquals(Optional.empty(), MultipartReader.boundaryOf("multipart/mixed"));
        assertEquals(Optional.empty(), MultipartReader.boundaryOf(null));
    }
}
