package org.myelin.bench.media;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.myelin.server.media.thumbnail.ImageProbe;
import org.myelin.server.media.thumbnail.SourceImage;
import org.myelin.server.media.thumbnail.ThumbnailMethod;
import org.myelin.server.media.thumbnail.ThumbnailSize;
import org.myelin.server.media.thumbnail.ThumbnailSizing;
import org.myelin.server.media.thumbnail.Thumbnailer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long a thumbnail of a 12-megapixel photo takes: a 4000x3000 JPEG (smooth gradients with
 * noise, quality 90, about as large as a phone's photo), read from disk by the server's own
 * {@link Thumbnailer}. {@code pregenerated}: the five sizes made after each upload, from one
 * decode; {@code oneSize}: one 320x240 thumbnail, as asked for when none is kept; {@code probe}:
 * reading the header. Sample time, so that JMH reports the p50 (and p90, p99) of each call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class ThumbnailBench {

    private Path dir;
    private Path photo;
    private SourceImage image;
    private List<ThumbnailSize> pregenerated;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("thumbnail-bench");
        photo = dir.resolve("photo.jpg");
        writeJpeg(photo(4000, 3000), photo);
        image = ImageProbe.probe(photo).orElseThrow();
        pregenerated = ThumbnailSizing.pregenerated(image);
        System.out.printf("%n%s: %d bytes, %dx%d, sizes %s%n", photo.getFileName(), Files.size(photo),
                image.width(), image.height(), pregenerated);
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(photo);
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public List<Thumbnailer.Encoded> pregenerated() throws IOException {
        return Thumbnailer.render(photo, image, pregenerated);
    }

    @Benchmark
    public List<Thumbnailer.Encoded> oneSize() throws IOException {
        return Thumbnailer.render(photo, image, List.of(ThumbnailSizing.made(image, 320, 240, ThumbnailMethod.SCALE)));
    }

    @Benchmark
    public SourceImage probe() throws IOException {
        return ImageProbe.probe(photo).orElseThrow();
    }

    /** Smooth colour gradients with some noise: compresses about as a photo does. */
    private static BufferedImage photo(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(42);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = clamp(255 * x / width + random.nextInt(24) - 12);
                int g = clamp(255 * y / height + random.nextInt(24) - 12);
                int b = clamp((int) (127 + 100 * Math.sin(x / 150.0) * Math.cos(y / 110.0)) + random.nextInt(24) - 12);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    private static int clamp(int value) {
        return Math.max(0, Math.min(255, value));
    }

    private static void writeJpeg(BufferedImage image, Path file) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.9f);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}
