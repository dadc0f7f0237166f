package org.myelin.server.media.thumbnail;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what an image's header says ({@link SourceImage}) without decoding its pixels, so that an
 * image too large to decode safely is known before any memory is spent on it. The format is
 * found from the content's first bytes, whatever type it was uploaded as, and only the formats of
 * {@link ImageFormat} are read: the JDK's ImageIO for JPEG, PNG and GIF, TwelveMonkeys' plugin for
 * WebP. Blocking file I/O.
 */
public final class ImageProbe {

    private static final Logger LOG = LoggerFactory.getLogger(ImageProbe.class);

    private ImageProbe() {}

    /** The image in {@code file}; empty if it holds none of the formats thumbnailed, or a broken one. */
    public static Optional<SourceImage> probe(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException("cannot read " + file);
            }
            Optional<Reader> found = reader(in);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            ImageReader reader = found.get().reader();
            ImageFormat format = found.get().format();
            try {
                int orientation = format == ImageFormat.JPEG ? exifOrientation(in) : 1;
                in.seek(0);
                reader.setInput(in, false, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width < 1 || height < 1) {
                    return Optional.empty();
                }
                // Counting frames reads a GIF to its end, skipping the pixels: no decoding.
                boolean animated = (format == ImageFormat.GIF || format == ImageFormat.WEBP)
                        && reader.getNumImages(true) > 1;
                boolean transposed = orientation >= 5; // turned a quarter: stored width is shown height
                return Optional.of(new SourceImage(format, transposed ? height : width, transposed ? width : height,
                        orientation, animated, alpha(reader)));
            } catch (IOException | RuntimeException e) {
                // Decoders throw unchecked exceptions on malformed input too.
                LOG.debug("Not a readable {} image: {}", format, e.toString());
                return Optional.empty();
            } finally {
                reader.dispose();
            }
        }
    }

    /** A reader of one of the formats thumbnailed and the format it reads. */
    record Reader(ImageReader reader, ImageFormat format) {}

    /** The first reader of a format thumbnailed that recognises the content of {@code in}. */
    static Optional<Reader> reader(ImageInputStream in) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            Optional<ImageFormat> format = ImageFormat.ofImageIoName(reader.getFormatName());
            if (format.isPresent()) {
                return Optional.of(new Reader(reader, format.get()));
            }
        }
        return Optional.empty();
    }

    private static boolean alpha(ImageReader reader) throws IOException {
        ImageTypeSpecifier raw = reader.getRawImageType(0);
        if (raw == null) {
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            raw = types.hasNext() ? types.next() : null;
        }
        return raw != null && raw.getColorModel().hasAlpha();
    }

    /**
     * The orientation in a JPEG's EXIF (tag 0x0112), read with TwelveMonkeys' metadata library;
     * 1 when there is none or it cannot be read (as Synapse, which ignores broken EXIF).
     */
    private static int exifOrientation(ImageInputStream in) {
        try {
            in.seek(0);
            for (JPEGSegment segment : JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif")) {
                try (InputStream data = segment.data()) {
                    if (data.read() < 0) { // the pad byte after "Exif\0"
                        continue;
                    }
                    Directory exif = new TIFFReader().read(new MemoryCacheImageInputStream(data));
                    Entry entry = exif.getEntryById(TIFF.TAG_ORIENTATION);
                    if (entry != null && entry.getValue() instanceof Number n && n.intValue() >= 1 && n.intValue() <= 8) {
                        return n.intValue();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot read a JPEG's EXIF orientation: {}", e.toString());
        }
        return 1;
    }
}
