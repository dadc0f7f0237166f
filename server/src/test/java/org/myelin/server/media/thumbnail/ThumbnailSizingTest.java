package org.myelin.server.media.thumbnail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.myelin.server.media.thumbnail.ThumbnailMethod.CROP;
import static org.myelin.server.media.thumbnail.ThumbnailMethod.SCALE;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ThumbnailSizingTest {

    private static SourceImage image(int width, int height) {
        return new SourceImage(ImageFormat.JPEG, width, height, 1, false, false);
    }

    private static ThumbnailSize size(int width, int height, ThumbnailMethod method) {
        return new ThumbnailSize(width, height, method);
    }

    @Test
    void aLargeImageGetsTheSpecsFiveSizesScaledToItsAspectRatio() {
        assertEquals(List.of(size(32, 32, CROP), size(96, 96, CROP), size(320, 240, SCALE), size(640, 480, SCALE),
                size(800, 600, SCALE)), ThumbnailSizing.pregenerated(image(4000, 3000)));
        assertEquals(List.of(size(32, 32, CROP), size(96, 96, CROP), size(320, 160, SCALE), size(640, 320, SCALE),
                size(800, 400, SCALE)), ThumbnailSizing.pregenerated(image(2000, 1000)));
        assertEquals(List.of(size(32, 32, CROP), size(96, 96, CROP), size(180, 240, SCALE), size(360, 480, SCALE),
                size(450, 600, SCALE)), ThumbnailSizing.pregenerated(image(1500, 2000)));
    }

    @Test
    void nothingIsMadeLargerThanTheImage() {
        // Scaled sizes stop at the image's own, and are made once; a crop keeps its shape unscaled.
        assertEquals(List.of(size(32, 32, CROP), size(50, 50, CROP), size(300, 50, SCALE)),
                ThumbnailSizing.pregenerated(image(300, 50)));
        assertEquals(List.of(size(20, 20, SCALE)), ThumbnailSizing.pregenerated(image(20, 20)),
                "a crop of the image's own size is the scaled one");
        assertEquals(size(50, 25, CROP), ThumbnailSizing.made(image(50, 50), 64, 32, CROP));
        assertEquals(size(10, 40, CROP), ThumbnailSizing.made(image(10, 200), 64, 256, CROP));
        assertEquals(size(400, 300, SCALE), ThumbnailSizing.made(image(400, 300), 1000, 1000, SCALE));
        assertEquals(size(1, 1, SCALE), ThumbnailSizing.made(image(1, 1), 1, 5000, SCALE));
        assertEquals(size(4000, 3000, SCALE), ThumbnailSizing.made(image(4000, 3000), Integer.MAX_VALUE,
                Integer.MAX_VALUE, SCALE));
    }

    @Test
    void aRequestGetsTheSmallestMadeSizeNotSmallerThanAsked() {
        List<ThumbnailSize> made = ThumbnailSizing.pregenerated(image(4000, 3000));
        assertEquals(Optional.of(size(32, 32, CROP)), ThumbnailSizing.select(made, 32, 32, CROP));
        assertEquals(Optional.of(size(96, 96, CROP)), ThumbnailSizing.select(made, 64, 64, CROP));
        assertEquals(Optional.of(size(32, 32, CROP)), ThumbnailSizing.select(made, 20, 20, CROP));
        assertEquals(Optional.of(size(96, 96, CROP)), ThumbnailSizing.select(made, 33, 20, CROP),
                "32x32 is closer in aspect ratio, but narrower than asked");
        assertEquals(Optional.of(size(320, 240, SCALE)), ThumbnailSizing.select(made, 100, 100, SCALE));
        assertEquals(Optional.of(size(640, 480, SCALE)), ThumbnailSizing.select(made, 400, 400, SCALE));
        assertEquals(Optional.of(size(800, 600, SCALE)), ThumbnailSizing.select(made, 700, 500, SCALE));
        assertEquals(Optional.of(size(800, 600, SCALE)), ThumbnailSizing.select(made, 900, 500, SCALE),
                "as high as asked is enough for scale, as Synapse's");
        assertEquals(Optional.empty(), ThumbnailSizing.select(made, 1024, 768, SCALE), "larger than all: made to size");
        assertEquals(Optional.empty(), ThumbnailSizing.select(made, 128, 128, CROP));
        assertEquals(Optional.empty(), ThumbnailSizing.select(made, 100, 20, CROP), "as wide and as high for crop");
        assertEquals(Optional.empty(), ThumbnailSizing.select(List.of(size(32, 32, CROP)), 20, 20, SCALE),
                "only thumbnails of the method asked");
    }
}
