package org.myelin.server.media.thumbnail;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which thumbnail answers which request (client-server API, "Thumbnails"; Synapse's
 * {@code _generate_thumbnails} and {@code _select_thumbnail}): the sizes made of each image
 * after its upload, the size made for a request, and which made size serves a request. Pure
 * arithmetic on sizes, with the spec's two rules: never larger than the image (no upscaling),
 * never smaller than asked unless the image is.
 */
public final class ThumbnailSizing {

    /** The sizes the spec says servers SHOULD make (and Synapse's default {@code thumbnail_sizes}). */
    public static final List<ThumbnailSize> PREGENERATED = List.of(
            new ThumbnailSize(32, 32, ThumbnailMethod.CROP),
            new ThumbnailSize(96, 96, ThumbnailMethod.CROP),
            new ThumbnailSize(320, 240, ThumbnailMethod.SCALE),
            new ThumbnailSize(640, 480, ThumbnailMethod.SCALE),
            new ThumbnailSize(800, 600, ThumbnailMethod.SCALE));

    private ThumbnailSizing() {}

    /**
     * The thumbnail made of {@code image} for a request of {@code width} by {@code height}: for
     * {@code scale}, the largest size of the image's aspect ratio within the box, and no larger
     * than the image; for {@code crop}, the box itself, or, if the image is smaller than the box
     * in some direction, the largest part of the image of the box's aspect ratio, unscaled.
     */
    public static ThumbnailSize made(SourceImage image, int width, int height, ThumbnailMethod method) {
        return method == ThumbnailMethod.SCALE ? scaled(image, width, height) : cropped(image, width, height);
    }

    /**
     * The sizes made of {@code image} after its upload: {@link #PREGENERATED} made for it, a cropped
     * size that a scaled one has too made once, as Synapse's.
     */
    public static List<ThumbnailSize> pregenerated(SourceImage image) {
        Map<List<Integer>, ThumbnailMethod> sizes = new LinkedHashMap<>();
        for (ThumbnailSize wanted : PREGENERATED) {
            ThumbnailSize made = made(image, wanted.width(), wanted.height(), wanted.method());
            List<Integer> key = List.of(made.width(), made.height());
            if (made.method() == ThumbnailMethod.CROP) {
                sizes.putIfAbsent(key, ThumbnailMethod.CROP);
            } else {
                sizes.put(key, ThumbnailMethod.SCALE);
            }
        }
        List<ThumbnailSize> result = new ArrayList<>();
        sizes.forEach((key, method) -> result.add(new ThumbnailSize(key.get(0), key.get(1), method)));
        return result;
    }

    /**
     * Of {@code made}, the thumbnail that answers a request of {@code width} by {@code height}
     * with {@code method}, as Synapse's {@code _select_thumbnail} orders them: for {@code scale},
     * among those at least as wide or as high as asked (a scaled image fills the box one way),
     * the closest in size; for {@code crop}, among those at least as wide and as high as asked,
     * the closest in aspect ratio, then in size; the first made on a tie. Empty when none is that
     * large: Synapse then serves a smaller one, which the spec forbids, so the caller makes one of
     * the size asked (for {@code crop}, Synapse also takes one as large one way only).
     */
    public static Optional<ThumbnailSize> select(List<ThumbnailSize> made, int width, int height,
                                                 ThumbnailMethod method) {
        Comparator<ThumbnailSize> bySize = Comparator.comparingLong(t -> sizeQuality(t, width, height));
        if (method == ThumbnailMethod.SCALE) {
            return made.stream()
                    .filter(t -> t.method() == method && (t.width() >= width || t.height() >= height))
                    .min(bySize); // Stream.min keeps the first of equals
        }
        return made.stream()
                .filter(t -> t.method() == method && t.width() >= width && t.height() >= height)
                .min(Comparator.<ThumbnailSize>comparingLong(
                        t -> Math.abs((long) width * t.height() - (long) height * t.width())).thenComparing(bySize));
    }

    private static long sizeQuality(ThumbnailSize t, int width, int height) {
        return Math.abs(((long) width - t.width()) * ((long) height - t.height()));
    }

    /**
     * Synapse's {@code Thumbnailer.aspect}: the largest size of the image's aspect ratio within
     * {@code maxWidth} by {@code maxHeight}, at least 1x1.
     */
    static int[] aspect(SourceImage image, int maxWidth, int maxHeight) {
        long w = image.width();
        long h = image.height();
        if ((long) maxWidth * h < (long) maxHeight * w) {
            return new int[] {maxWidth, (int) Math.max(maxWidth * h / w, 1)};
        }
        return new int[] {(int) Math.max(maxHeight * w / h, 1), maxHeight};
    }

    private static ThumbnailSize scaled(SourceImage image, int width, int height) {
        int[] size = aspect(image, width, height);
        return new ThumbnailSize(Math.min(size[0], image.width()), Math.min(size[1], image.height()),
                ThumbnailMethod.SCALE);
    }

    private static ThumbnailSize cropped(SourceImage image, int width, int height) {
        if (width <= image.width() && height <= image.height()) {
            return new ThumbnailSize(width, height, ThumbnailMethod.CROP);
        }
        // Covering the box would scale the image up: keep the box's shape, at the image's scale.
        long w = image.width();
        long h = image.height();
        if ((long) width * h > (long) height * w) {
            return new ThumbnailSize((int) w, (int) Math.max(w * height / width, 1), ThumbnailMethod.CROP);
        }
        return new ThumbnailSize((int) Math.max(h * width / height, 1), (int) h, ThumbnailMethod.CROP);
    }
}
