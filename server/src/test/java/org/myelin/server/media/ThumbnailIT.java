package org.myelin.server.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.media.MediaIT.errcode;
import static org.myelin.server.media.MediaIT.get;
import static org.myelin.server.media.MediaIT.uploaded;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.id.MxcUri;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;
import org.myelin.storage.media.StoredThumbnail;

/**
 * Thumbnails over real HTTP (client-server API, "Thumbnails"): images made in the test with
 * ImageIO (JPEG, PNG, GIF) and small WebP files made with libwebp's tools
 * ({@code src/test/resources/media/README.md}), their thumbnails decoded and measured.
 */
class ThumbnailIT {

    static TestHomeserver hs;
    static TestUser alice;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        alice = hs.registerUser("alice");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    // ---- images ----

    private static final Color RED = new Color(230, 20, 20);
    private static final Color GREEN = new Color(20, 200, 20);
    private static final Color BLUE = new Color(20, 20, 230);
    private static final Color YELLOW = new Color(240, 230, 20);

    /** A {@code width} by {@code height} image of vertical stripes of {@code colours}, left to right. */
    static BufferedImage stripes(int width, int height, Color... colours) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int i = 0; i < colours.length; i++) {
            g.setColor(colours[i]);
            g.fillRect(i * width / colours.length, 0, width / colours.length + 1, height);
        }
        g.dispose();
        return image;
    }

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            assertTrue(ImageIO.write(image, format, out), format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            assertTrue(image != null, "not an image");
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = ThumbnailIT.class.getResourceAsStream("/media/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the pixel at ({@code x}, {@code y}) is close to {@code expected}, as lossy encoding leaves it. */
    private static void assertColour(Color expected, BufferedImage image, int x, int y) {
        Color actual = new Color(image.getRGB(x, y), true);
        int distance = Math.abs(actual.getRed() - expected.getRed()) + Math.abs(actual.getGreen() - expected.getGreen())
                + Math.abs(actual.getBlue() - expected.getBlue());
        assertTrue(distance < 90, () -> "at " + x + "," + y + ": " + actual + ", not " + expected);
    }

    static HttpResponse<byte[]> thumbnail(TestHomeserver hs, TestUser user, String media, String query) {
        return get(hs, user, "/_matrix/client/v1/media/thumbnail/" + media + "?" + query, Map.of());
    }

    private static BufferedImage thumbnailOk(String media, String query, String contentType) {
        HttpResponse<byte[]> r = thumbnail(hs, alice, media, query);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(contentType, r.headers().firstValue("Content-Type").orElseThrow());
        return decode(r.body());
    }

    private static List<StoredThumbnail> rows(String media) {
        return hs.homeserver().media().thumbnailRows.list(MxcUri.parse("mxc://" + media));
    }

    // ---- tests ----

    @Test
    void aJpegGetsJpegThumbnailsNeverSmallerThanAsked() {
        String media = uploaded(hs, alice, "image/jpeg", "photo.jpg", encode(stripes(1600, 1200, RED, BLUE), "jpg"));

        HttpResponse<byte[]> r = thumbnail(hs, alice, media, "width=64&height=64&method=crop");

        assertEquals(200, r.statusCode());
        assertEquals("image/jpeg", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("inline; filename=thumbnail.jpeg", r.headers().firstValue("Content-Disposition").orElseThrow());
        BufferedImage crop = decode(r.body());
        assertEquals(List.of(96, 96), List.of(crop.getWidth(), crop.getHeight()), "the pre-generated 96x96 crop");
        BufferedImage scaled = thumbnailOk(media, "width=300&height=300&method=scale", "image/jpeg");
        assertEquals(List.of(320, 240), List.of(scaled.getWidth(), scaled.getHeight()));
        BufferedImage byDefault = thumbnailOk(media, "width=700&height=500", "image/jpeg");
        assertEquals(List.of(800, 600), List.of(byDefault.getWidth(), byDefault.getHeight()), "scale by default");
        BufferedImage large = thumbnailOk(media, "width=1000&height=1000&method=scale", "image/jpeg");
        assertEquals(List.of(1000, 750), List.of(large.getWidth(), large.getHeight()), "larger than all: made to size");
    }

    @Test
    void scaleKeepsTheImageWholeAndCropCutsItsMiddleOut() {
        // 2:1, four stripes: scaled, all four show; cropped square, only the middle two.
        String media = uploaded(hs, alice, "image/png", "flag.png",
                encode(stripes(1000, 500, RED, GREEN, BLUE, YELLOW), "png"));

        BufferedImage scaled = thumbnailOk(media, "width=320&height=240&method=scale", "image/png");
        assertEquals(List.of(320, 160), List.of(scaled.getWidth(), scaled.getHeight()));
        assertColour(RED, scaled, 2, 80);
        assertColour(YELLOW, scaled, 317, 80);

        BufferedImage cropped = thumbnailOk(media, "width=96&height=96&method=crop", "image/png");
        assertEquals(List.of(96, 96), List.of(cropped.getWidth(), cropped.getHeight()));
        assertColour(GREEN, cropped, 2, 48);
        assertColour(BLUE, cropped, 93, 48);
    }

    @Test
    void aThumbnailIsMadeOnceAndServedAgain() {
        String media = uploaded(hs, alice, "image/jpeg", "again.jpg", encode(stripes(1200, 900, GREEN, BLUE), "jpg"));

        HttpResponse<byte[]> first = thumbnail(hs, alice, media, "width=1100&height=800&method=scale");
        HttpResponse<byte[]> second = thumbnail(hs, alice, media, "width=1100&height=800&method=scale");
        HttpResponse<byte[]> pregenerated = thumbnail(hs, alice, media, "width=32&height=32&method=crop");
        HttpResponse<byte[]> pregeneratedAgain = thumbnail(hs, alice, media, "width=32&height=32&method=crop");

        assertEquals(200, first.statusCode());
        assertArrayEquals(first.body(), second.body());
        assertArrayEquals(pregenerated.body(), pregeneratedAgain.body());
        assertEquals(List.of(1066, 800), List.of(decode(first.body()).getWidth(), decode(first.body()).getHeight()),
                "larger than all pre-generated: made to size, within the box");
        assertEquals(1, rows(media).stream().filter(t -> t.width() == 1066).count());
        assertEquals(1, rows(media).stream().filter(t -> t.width() == 32).count());
    }

    @Test
    void anUploadedImageGetsTheSpecsFiveSizesWithoutBeingAsked() throws InterruptedException {
        String media = uploaded(hs, alice, "image/jpeg", "five.jpg", encode(stripes(2000, 1000, RED, BLUE), "jpg"));

        // Made in the background: waited for, not timed.
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (rows(media).size() < 5 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        assertEquals(Set.of("32x32 crop", "96x96 crop", "320x160 scale", "640x320 scale", "800x400 scale"),
                rows(media).stream().map(t -> t.width() + "x" + t.height() + " " + t.method()).collect(Collectors.toSet()));
        assertEquals(5, rows(media).size());
        assertTrue(rows(media).stream().allMatch(t -> t.contentType().equals("image/jpeg")));
    }

    @Test
    void anImageNoLargerThanAskedIsServedAsItIs() {
        byte[] png = encode(stripes(50, 40, RED, BLUE), "png");
        String media = uploaded(hs, alice, "image/png", "small.png", png);

        HttpResponse<byte[]> r = thumbnail(hs, alice, media, "width=64&height=64&method=crop");

        assertEquals(200, r.statusCode());
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElseThrow());
        assertArrayEquals(png, r.body());
        BufferedImage cropped = thumbnailOk(media, "width=64&height=32&method=crop", "image/png");
        assertEquals(List.of(50, 25), List.of(cropped.getWidth(), cropped.getHeight()), "its shape, never scaled up");
    }

    @Test
    void aGifIsThumbnailedByItsFirstFrameAndServedAnimatedOnlyWhenAskedAndSmallEnough() throws IOException {
        byte[] gif = animatedGif(200, 100, RED, BLUE);
        String media = uploaded(hs, alice, "image/gif", "blink.gif", gif);

        // Every pre-generated scaled size is the image's own: that one answers.
        BufferedImage still = thumbnailOk(media, "width=96&height=96&method=scale", "image/png");
        assertEquals(List.of(200, 100), List.of(still.getWidth(), still.getHeight()));
        assertColour(RED, still, 100, 50);

        HttpResponse<byte[]> animated = thumbnail(hs, alice, media, "width=400&height=400&animated=true");
        assertEquals("image/gif", animated.headers().firstValue("Content-Type").orElseThrow());
        assertArrayEquals(gif, animated.body());
        BufferedImage notAnimated = thumbnailOk(media, "width=400&height=400&animated=false", "image/png");
        assertEquals(List.of(200, 100), List.of(notAnimated.getWidth(), notAnimated.getHeight()));
        BufferedImage smallAnimated = thumbnailOk(media, "width=32&height=32&method=crop&animated=true", "image/png");
        assertEquals(List.of(32, 32), List.of(smallAnimated.getWidth(), smallAnimated.getHeight()),
                "a still thumbnail when the original is larger than asked");
    }

    @Test
    void webpIsThumbnailedAsJpegOrAsPngWhenItHasTransparency() {
        String photo = uploaded(hs, alice, "image/webp", "photo.webp", resource("photo.webp"));
        BufferedImage crop = thumbnailOk(photo, "width=32&height=32&method=crop", "image/jpeg");
        assertEquals(List.of(32, 32), List.of(crop.getWidth(), crop.getHeight()));
        assertColour(new Color(0, 200, 0), crop, 4, 4); // the green square at the top left
        BufferedImage scaled = thumbnailOk(photo, "width=60&height=60", "image/jpeg");
        assertEquals(List.of(120, 80), List.of(scaled.getWidth(), scaled.getHeight()), "pre-generated at its own size");
        assertColour(new Color(0, 0, 220), scaled, 110, 40);

        String transparent = uploaded(hs, alice, "image/webp", "transparent.webp", resource("transparent.webp"));
        BufferedImage cut = thumbnailOk(transparent, "width=32&height=32&method=crop", "image/png");
        assertEquals(List.of(32, 32), List.of(cut.getWidth(), cut.getHeight()));
        assertEquals(0xffff00ff, cut.getRGB(2, 16), "opaque magenta");
        assertEquals(0, cut.getRGB(29, 16) >>> 24, "transparent");

        byte[] animatedWebp = resource("animated.webp");
        String animated = uploaded(hs, alice, "image/webp", "animated.webp", animatedWebp);
        HttpResponse<byte[]> original = thumbnail(hs, alice, animated, "width=64&height=64&animated=true");
        assertEquals("image/webp", original.headers().firstValue("Content-Type").orElseThrow());
        assertArrayEquals(animatedWebp, original.body());
        BufferedImage first = thumbnailOk(animated, "width=64&height=64", "image/jpeg");
        assertEquals(List.of(48, 32), List.of(first.getWidth(), first.getHeight()));
        assertColour(RED, first, 24, 16);
    }

    @Test
    void aJpegIsTurnedAsItsExifOrientationSays() {
        // Stored 200x100, red left and blue right, with orientation 6: shown a quarter turned clockwise.
        byte[] jpeg = withExifOrientation(encode(stripes(200, 100, RED, BLUE), "jpg"), 6);
        String media = uploaded(hs, alice, "image/jpeg", "turned.jpg", jpeg);

        BufferedImage turned = thumbnailOk(media, "width=50&height=100&method=scale", "image/jpeg");
        BufferedImage square = thumbnailOk(media, "width=32&height=32&method=crop", "image/jpeg");

        assertEquals(List.of(100, 200), List.of(turned.getWidth(), turned.getHeight()));
        assertColour(RED, turned, 50, 20);
        assertColour(BLUE, turned, 50, 180);
        assertColour(RED, square, 16, 2);
        assertColour(BLUE, square, 16, 29);
    }

    @Test
    void anImageOfTooManyPixelsIsRefusedFromItsHeader() {
        // A PNG whose header says 100,000 x 100,000 pixels: 40 GB decoded.
        String media = uploaded(hs, alice, "image/png", "bomb.png", pngHeaderOnly(100_000, 100_000));

        HttpResponse<byte[]> r = thumbnail(hs, alice, media, "width=32&height=32&method=crop");

        assertEquals(413, r.statusCode());
        assertEquals("M_TOO_LARGE", errcode(r));
        assertEquals(List.of(), rows(media), "none made after the upload either");
    }

    @Test
    void whatIsNoImageCannotBeThumbnailed() {
        String text = uploaded(hs, alice, "text/plain", "notes.txt", "hello".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> r = thumbnail(hs, alice, text, "width=32&height=32");
        assertEquals(400, r.statusCode());
        assertEquals("M_UNKNOWN", errcode(r));

        String lie = uploaded(hs, alice, "image/png", "lie.png", MediaIT.randomBytes(5_000, 7));
        HttpResponse<byte[]> broken = thumbnail(hs, alice, lie, "width=32&height=32");
        assertEquals(400, broken.statusCode());
        assertEquals("M_UNKNOWN", errcode(broken));

        // A header and no pixels: found an image, not decoded.
        String truncated = uploaded(hs, alice, "image/png", "cut.png", pngHeaderOnly(200, 100));
        for (int attempt = 0; attempt < 2; attempt++) {
            HttpResponse<byte[]> undecodable = thumbnail(hs, alice, truncated, "width=32&height=32&method=crop");
            assertEquals(400, undecodable.statusCode());
            assertEquals("M_UNKNOWN", errcode(undecodable));
        }
    }

    @Test
    void badRequestsAreRefused() {
        String media = uploaded(hs, alice, "image/png", "p.png", encode(stripes(100, 100, RED), "png"));
        assertEquals("M_MISSING_PARAM", errcode(thumbnail(hs, alice, media, "height=32")));
        assertEquals("M_INVALID_PARAM", errcode(thumbnail(hs, alice, media, "width=abc&height=32")));
        assertEquals("M_INVALID_PARAM", errcode(thumbnail(hs, alice, media, "width=0&height=32")));
        assertEquals("M_INVALID_PARAM", errcode(thumbnail(hs, alice, media, "width=-5&height=32")));
        assertEquals("M_INVALID_PARAM", errcode(thumbnail(hs, alice, media, "width=32&height=32&method=stretch")));
        assertEquals("M_INVALID_PARAM", errcode(thumbnail(hs, alice, media, "width=32&height=32&animated=yes")));
        assertEquals(400, thumbnail(hs, alice, media, "width=32&height=32&method=stretch").statusCode());

        HttpResponse<byte[]> unknown = thumbnail(hs, alice, hs.serverName() + "/noSuchMedia", "width=32&height=32");
        assertEquals(404, unknown.statusCode());
        assertEquals("M_NOT_FOUND", errcode(unknown));
        HttpResponse<byte[]> anonymous = thumbnail(hs, null, media, "width=32&height=32");
        assertEquals(401, anonymous.statusCode());
        assertEquals("M_MISSING_TOKEN", errcode(anonymous));
        assertEquals(200, thumbnail(hs, alice, media, "width=" + "9".repeat(30) + "&height=32").statusCode(),
                "as large as any image");
    }

    @Test
    void theDeprecatedEndpointServesOnlyMediaFromBeforeTheFreeze() {
        try (TestHomeserver legacy = TestHomeserver.builder()
                .configure(c -> c.withMedia(c.media().withEnableAuthenticatedMedia(false)))
                .start()) {
            TestUser bob = legacy.registerUser("bob");
            String before = uploaded(legacy, bob, "image/png", "old.png", encode(stripes(300, 300, RED), "png"));

            legacy.restart(c -> c.withMedia(c.media().withEnableAuthenticatedMedia(true)));

            String after = uploaded(legacy, bob, "image/png", "new.png", encode(stripes(300, 300, BLUE), "png"));
            HttpResponse<byte[]> old = get(legacy, null,
                    "/_matrix/media/v3/thumbnail/" + before + "?width=32&height=32&method=crop", Map.of());
            assertEquals(200, old.statusCode());
            assertEquals(List.of(32, 32), List.of(decode(old.body()).getWidth(), decode(old.body()).getHeight()));
            HttpResponse<byte[]> fresh = get(legacy, null,
                    "/_matrix/media/v3/thumbnail/" + after + "?width=32&height=32&method=crop", Map.of());
            assertEquals(404, fresh.statusCode());
            assertEquals("M_NOT_FOUND", errcode(fresh));
            assertEquals(200, thumbnail(legacy, bob, after, "width=32&height=32&method=crop").statusCode());
        }
    }

    @Test
    void dynamicThumbnailsAreMadeToTheSizeAsked() {
        try (TestHomeserver dynamic = TestHomeserver.builder()
                .configure(c -> c.withMedia(c.media().withThumbnails(true, 1_000_000)))
                .start()) {
            TestUser carol = dynamic.registerUser("carol");
            String media = uploaded(dynamic, carol, "image/png", "d.png", encode(stripes(800, 600, RED, BLUE), "png"));

            HttpResponse<byte[]> crop = thumbnail(dynamic, carol, media, "width=64&height=40&method=crop");
            assertEquals(List.of(64, 40), List.of(decode(crop.body()).getWidth(), decode(crop.body()).getHeight()));
            HttpResponse<byte[]> scale = thumbnail(dynamic, carol, media, "width=100&height=100&method=scale");
            assertEquals(List.of(100, 75), List.of(decode(scale.body()).getWidth(), decode(scale.body()).getHeight()));

            // 1,000,000 pixels at most here: 1200 x 1000 is too many.
            String large = uploaded(dynamic, carol, "image/png", "l.png", encode(stripes(1200, 1000, RED), "png"));
            HttpResponse<byte[]> refused = thumbnail(dynamic, carol, large, "width=32&height=32");
            assertEquals(413, refused.statusCode());
            assertEquals("M_TOO_LARGE", errcode(refused));
        }
    }

    // ---- image files made by hand ----

    /** A two-frame GIF made with the JDK's GIF writer: {@code first}, then {@code second}. */
    private static byte[] animatedGif(int width, int height, Color first, Color second) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (Color colour : new Color[] {first, second}) {
                BufferedImage frame = stripes(width, height, colour);
                IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), null);
                IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree("javax_imageio_gif_image_1.0");
                IIOMetadataNode control = new IIOMetadataNode("GraphicControlExtension");
                control.setAttribute("disposalMethod", "none");
                control.setAttribute("userInputFlag", "FALSE");
                control.setAttribute("transparentColorFlag", "FALSE");
                control.setAttribute("delayTime", "20");
                control.setAttribute("transparentColorIndex", "0");
                root.appendChild(control);
                metadata.setFromTree("javax_imageio_gif_image_1.0", root);
                writer.writeToSequence(new IIOImage(frame, null, metadata), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * {@code jpeg} with an EXIF APP1 segment after its JFIF APP0, whose one IFD entry is the
     * orientation (tag 0x0112, a SHORT).
     */
    private static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        ByteBuffer exif = ByteBuffer.allocate(36);
        exif.putShort((short) 0xFFE1).putShort((short) 34);
        exif.put("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        exif.put("MM".getBytes(StandardCharsets.US_ASCII)).putShort((short) 42).putInt(8); // TIFF header, IFD at 8
        exif.putShort((short) 1); // one entry
        exif.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        exif.putInt(0); // no next IFD
        assertEquals(0xFF, jpeg[2] & 0xFF);
        assertEquals(0xE0, jpeg[3] & 0xFF, "JFIF first");
        int afterApp0 = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF));
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + exif.capacity());
        out.put(jpeg, 0, afterApp0).put(exif.array()).put(jpeg, afterApp0, jpeg.length - afterApp0);
        return out.array();
    }

    /** A PNG signature and header (IHDR) saying {@code width} by {@code height}, one empty IDAT, and IEND. */
    private static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer png = ByteBuffer.allocate(8 + 25 + 12 + 12);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(png, "IDAT", new byte[0]);
        chunk(png, "IEND", new byte[0]);
        return png.array();
    }

    private static void chunk(ByteBuffer png, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        png.putInt(data.length).put(name).put(data).putInt((int) crc.getValue());
    }
}
