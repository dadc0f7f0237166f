package org.myelin.server.media.thumbnail;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.IIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Makes thumbnails of an image (Synapse's {@code Thumbnailer}): decodes it once (its first frame),
 * turns it as its EXIF orientation says, and for each size scales it, or scales it to cover the
 * size and cuts the middle out ({@code crop}), then encodes it as JPEG (quality 80, as Synapse)
 * or PNG. CPU-bound: run it on platform threads of its own, never on an event loop nor on the
 * virtual threads that serve requests.
 *
 * <p>Where every size wanted is much smaller than the image, the image is decoded at a fraction of
 * its resolution (ImageIO's source subsampling: one pixel in n each way), still at least twice the
 * largest size wanted, which the scaling then averages down: the decoded image takes a fraction
 * of the memory (a 32-megapixel photo decoded whole takes 96 MB). What the subsampling drops is
 * finer than the thumbnails show, but a fine regular pattern may alias.
 */
public final class Thumbnailer {

    /** Synapse's JPEG quality. */
    private static final float JPEG_QUALITY = 0.8f;

    private Thumbnailer() {}

    /** A thumbnail made: its bytes, encoded as {@code contentType}. */
    public record Encoded(ThumbnailSize size, String contentType, byte[] bytes) {}

    /**
     * Thumbnails of {@code image}, read from {@code file}, one per size of {@code sizes}, in that
     * order, as {@link SourceImage#thumbnailType()}.
     *
     * @throws UndecodableImageException if the image cannot be decoded after all
     * @throws IOException                if {@code file} cannot be read
     */
    public static List<Encoded> render(Path file, SourceImage image, List<ThumbnailSize> sizes) throws IOException {
        BufferedImage decoded = orient(decode(file, image, subsampling(image, sizes)), image.orientation());
        String type = image.thumbnailType();
        boolean png = type.equals("image/png");
        Pyramid pyramid = new Pyramid(decoded, png && decoded.getColorModel().hasAlpha());
        List<Encoded> thumbnails = new ArrayList<>();
        for (ThumbnailSize size : sizes) {
            BufferedImage thumbnail = size.method() == ThumbnailMethod.SCALE
                    ? pyramid.scaled(size.width(), size.height())
                    : pyramid.cropped(size.width(), size.height());
            thumbnails.add(new Encoded(size, type, png ? encode(thumbnail, "png", null) : encodeJpeg(thumbnail)));
        }
        return thumbnails;
    }

    /** The largest factor by which every size can be decoded at least twice as large as made. */
    static int subsampling(SourceImage image, List<ThumbnailSize> sizes) {
        long needWidth = 1;
        long needHeight = 1;
        for (ThumbnailSize size : sizes) {
            long[] scaled = size.method() == ThumbnailMethod.SCALE
                    ? new long[] {size.width(), size.height()}
                    : covering(image.width(), image.height(), size.width(), size.height());
            needWidth = Math.max(needWidth, scaled[0]);
            needHeight = Math.max(needHeight, scaled[1]);
        }
        return (int) Math.max(1, Math.min(image.width() / (2 * needWidth), image.height() / (2 * needHeight)));
    }

    /**
     * Synapse's {@code crop}: the size a {@code width} by {@code height} image is scaled to so that
     * it covers the box, keeping its aspect ratio.
     */
    private static long[] covering(long imageWidth, long imageHeight, int width, int height) {
        if (width * imageHeight > height * imageWidth) {
            return new long[] {width, Math.max(1, width * imageHeight / imageWidth)};
        }
        return new long[] {Math.max(1, height * imageWidth / imageHeight), height};
    }

    private static BufferedImage decode(Path file, SourceImage image, int subsampling) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException("cannot read " + file);
            }
            Optional<ImageProbe.Reader> found = ImageProbe.reader(in);
            if (found.isEmpty() || found.get().format() != image.format()) {
                throw new UndecodableImageException("not a " + image.format() + " image", null);
            }
            ImageReader reader = found.get().reader();
            try {
                reader.setInput(in, true, true);
                ImageReadParam param = reader.getDefaultReadParam();
                if (subsampling > 1) {
                    param.setSourceSubsampling(subsampling, subsampling, 0, 0);
                }
                return reader.read(0, param);
            } catch (IIOException | RuntimeException e) {
                // Decoders throw unchecked exceptions on malformed input too.
                throw new UndecodableImageException("cannot decode the " + image.format() + " image: " + e, e);
            } finally {
                reader.dispose();
            }
        }
    }

    /** The image as shown: turned and flipped as EXIF orientation 2 to 8 says (1: as it is). */
    static BufferedImage orient(BufferedImage image, int orientation) {
        int w = image.getWidth();
        int h = image.getHeight();
        AffineTransform turn = switch (orientation) {
            case 2 -> new AffineTransform(-1, 0, 0, 1, w, 0); // mirrored
            case 3 -> new AffineTransform(-1, 0, 0, -1, w, h); // upside down
            case 4 -> new AffineTransform(1, 0, 0, -1, 0, h); // mirrored upside down
            case 5 -> new AffineTransform(0, 1, 1, 0, 0, 0); // transposed
            case 6 -> new AffineTransform(0, 1, -1, 0, h, 0); // a quarter clockwise
            case 7 -> new AffineTransform(0, -1, -1, 0, h, w); // transversed
            case 8 -> new AffineTransform(0, -1, 1, 0, 0, w); // a quarter anticlockwise
            default -> null;
        };
        if (turn == null) {
            return image;
        }
        boolean transposed = orientation >= 5;
        BufferedImage turned = new BufferedImage(transposed ? h : w, transposed ? w : h,
                image.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = turned.createGraphics();
        try {
            g.setComposite(AlphaComposite.Src);
            g.drawImage(image, turn, null);
        } finally {
            g.dispose();
        }
        return turned;
    }

    /**
     * An image and its halvings, each made once (bilinearly: every pixel of a level is the mean of
     * four of the one above), from which each size is scaled in one last bilinear step of less
     * than half: every source pixel counts, where one bilinear step from far larger would skip most
     * of them and alias. The sizes of one image share the halvings.
     */
    static final class Pyramid {
        private final List<BufferedImage> levels = new ArrayList<>();
        private final boolean alpha;

        /** @param alpha whether thumbnails keep transparency (PNG of an image that has some) */
        Pyramid(BufferedImage image, boolean alpha) {
            levels.add(image);
            this.alpha = alpha;
        }

        /** The image scaled to {@code width} by {@code height}. */
        BufferedImage scaled(int width, int height) {
            int k = 0;
            while (level(k).getWidth() / 2 >= width && level(k).getHeight() / 2 >= height) {
                k++;
            }
            BufferedImage from = level(k);
            return draw(from, width, height, alpha, 0, 0, from.getWidth(), from.getHeight());
        }

        /** Synapse's {@code crop}: scaled to cover {@code width} by {@code height}, and its middle cut out. */
        BufferedImage cropped(int width, int height) {
            BufferedImage image = levels.getFirst();
            long[] covering = covering(image.getWidth(), image.getHeight(), width, height);
            BufferedImage scaled = scaled((int) covering[0], (int) covering[1]);
            int left = (scaled.getWidth() - width) / 2;
            int top = (scaled.getHeight() - height) / 2;
            return draw(scaled, width, height, alpha, left, top, left + width, top + height);
        }

        private BufferedImage level(int k) {
            while (levels.size() <= k) {
                BufferedImage above = levels.getLast();
                levels.add(draw(above, above.getWidth() / 2, above.getHeight() / 2, alpha,
                        0, 0, above.getWidth(), above.getHeight()));
            }
            return levels.get(k);
        }
    }

    /** The part of {@code source} from ({@code x1}, {@code y1}) to ({@code x2}, {@code y2}) drawn as a {@code w} by {@code h} image. */
    private static BufferedImage draw(BufferedImage source, int w, int h, boolean alpha, int x1, int y1, int x2, int y2) {
        BufferedImage target = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = target.createGraphics();
        try {
            g.setComposite(AlphaComposite.Src);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(source, 0, 0, w, h, x1, y1, x2, y2, null);
        } finally {
            g.dispose();
        }
        return target;
    }

    private static byte[] encodeJpeg(BufferedImage image) throws IOException {
        return encode(image, "jpeg", JPEG_QUALITY);
    }

    private static byte[] encode(BufferedImage image, String format, Float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // In memory: ImageIO's default output stream may spill to a temporary file.
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (quality != null) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
