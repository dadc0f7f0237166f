package org.myelin.server.media;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.myelin.protocol.id.MxcUri;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.MatrixException;
import org.myelin.server.media.thumbnail.ImageFormat;
import org.myelin.server.media.thumbnail.ImageProbe;
import org.myelin.server.media.thumbnail.SourceImage;
import org.myelin.server.media.thumbnail.ThumbnailMethod;
import org.myelin.server.media.thumbnail.ThumbnailSize;
import org.myelin.server.media.thumbnail.ThumbnailSizing;
import org.myelin.server.media.thumbnail.UndecodableImageException;
import org.myelin.storage.media.MediaStore;
import org.myelin.storage.media.StoredContent;
import org.myelin.storage.media.StoredThumbnail;
import org.myelin.storage.media.ThumbnailRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thumbnails of media (client-server API, "Thumbnails"): which one answers a request, made after
 * each upload in the sizes the spec lists, or when first asked for; kept and served again.
 * Media is named by its {@code mxc://} URI and its content given as a file, whichever server it
 * came from: a cache of other servers' media calls {@link #pregenerate} after a fetch and gets
 * thumbnails of it the same way.
 *
 * <p>JPEG, PNG, GIF (its first frame) and WebP (its first frame) uploaded as one of Synapse's
 * thumbnailed types are thumbnailed. Animation is never kept: {@code animated=true} gets the
 * original when it is no larger than asked (the spec's "return the original content"), else a
 * still thumbnail, which the spec allows ("if possible"): Synapse did the same until mid-2026,
 * when it began making animated WebP thumbnails, which the JDK's ImageIO cannot encode.
 */
public final class Thumbnails implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Thumbnails.class);

    /** What a request asks for: at least {@code width} by {@code height}, made with {@code method}. */
    public record Request(int width, int height, ThumbnailMethod method, boolean animated) {}

    /** What answers it: a thumbnail's file, or the media's own, and its type. */
    public record Served(String contentType, Path file, long size) {}

    private final MediaStore store;
    private final ThumbnailRepository rows;
    private final HomeserverConfig.Media config;
    private final ThumbnailGenerator generator;
    /** Of each content file, what its header says (empty: not an image thumbnailed): read once. */
    private final Cache<Path, Optional<SourceImage>> images = Caffeine.newBuilder().recordStats().maximumSize(10_000).build();
    /** Runs {@link #pregenerate} apart from the upload, which answers at once. */
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

    public Thumbnails(MediaStore store, ThumbnailRepository rows, HomeserverConfig.Media config, Clock clock) {
        this.store = store;
        this.rows = rows;
        this.config = config;
        this.generator = new ThumbnailGenerator(store, rows, clock);
    }

    /**
     * The thumbnail of {@code media}, whose content is {@code source}, that answers
     * {@code request}: 400 {@code M_UNKNOWN} if it is not an image thumbnailed, 413
     * {@code M_TOO_LARGE} if it has more than {@code media.max_image_pixels} pixels.
     */
    public Served thumbnail(MxcUri media, MediaDownloads.Servable source, Request request)
            throws IOException, InterruptedException {
        SourceImage image = image(source.contentType(), source.file()).orElseThrow(Thumbnails::cannotThumbnail);
        if (image.pixels() > config.maxImagePixels()) {
            throw MatrixException.tooLarge("Content is too large to thumbnail");
        }
        if (request.width() >= image.width() && request.height() >= image.height()
                && (request.animated() || !image.animated())) {
            return new Served(image.format().contentType(), source.file(), source.size());
        }
        ThumbnailSize size = config.dynamicThumbnails()
                ? ThumbnailSizing.made(image, request.width(), request.height(), request.method())
                : ThumbnailSizing.select(ThumbnailSizing.pregenerated(image), request.width(), request.height(),
                        request.method())
                .orElseGet(() -> ThumbnailSizing.made(image, request.width(), request.height(), request.method()));
        Optional<Served> kept = kept(media, size, image.thumbnailType());
        if (kept.isPresent()) {
            return kept.get();
        }
        CompletableFuture<StoredThumbnail> making = generator.make(media, source.file(), image, List.of(size)).get(size);
        try {
            return served(making.get()).orElseThrow(() -> new IOException("a thumbnail made has gone from the store"));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UndecodableImageException broken) {
                LOG.info("Cannot thumbnail {}: {}", media, broken.toString());
                images.put(source.file(), Optional.empty()); // not tried again
                throw MatrixException.unknownBadRequest("Failed to generate thumbnail.");
            }
            throw new IOException("making a thumbnail of " + media + " failed", e.getCause());
        } catch (CancellationException e) {
            throw new IOException("the server is stopping", e);
        }
    }

    /**
     * Makes, apart from the caller, the thumbnails of the sizes the spec lists of {@code media}
     * just stored as {@code content}, if it was uploaded as an image of a type thumbnailed; the
     * caller does not wait. What fails is logged: a request makes it again.
     */
    public void pregenerate(MxcUri media, String contentType, StoredContent content) {
        if (!ImageFormat.thumbnailable(contentType)) {
            return;
        }
        try {
            background.execute(() -> {
                try {
                    Optional<Path> file = store.file(content.sha256());
                    Optional<SourceImage> image = file.isEmpty() ? Optional.empty() : image(contentType, file.get());
                    if (image.isEmpty() || image.get().pixels() > config.maxImagePixels()) {
                        return;
                    }
                    List<StoredThumbnail> made = rows.list(media);
                    String type = image.get().thumbnailType();
                    List<ThumbnailSize> missing = ThumbnailSizing.pregenerated(image.get()).stream()
                            .filter(size -> made.stream().noneMatch(row -> matches(row, size, type)))
                            .toList();
                    for (CompletableFuture<StoredThumbnail> thumbnail
                            : generator.make(media, file.get(), image.get(), missing).values()) {
                        thumbnail.get();
                    }
                } catch (InterruptedException | CancellationException e) {
                    LOG.debug("Thumbnails of {} not made after its upload: stopping", media);
                } catch (Exception e) {
                    LOG.info("Thumbnails of {} not made after its upload: {}", media, e.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("Thumbnails of {} not made: stopping", media);
        }
    }

    /** What the header of {@code file} says, if it is an image uploaded as a type thumbnailed. */
    private Optional<SourceImage> image(String contentType, Path file) throws IOException {
        if (!ImageFormat.thumbnailable(contentType)) {
            return Optional.empty();
        }
        Optional<SourceImage> known = images.getIfPresent(file);
        if (known != null) {
            return known;
        }
        Optional<SourceImage> image = ImageProbe.probe(file);
        images.put(file, image);
        return image;
    }

    private Optional<Served> kept(MxcUri media, ThumbnailSize size, String type) throws IOException {
        for (StoredThumbnail row : rows.list(media)) {
            if (matches(row, size, type)) {
                return served(row); // empty if its content has gone: made again
            }
        }
        return Optional.empty();
    }

    private Optional<Served> served(StoredThumbnail row) throws IOException {
        return store.file(row.content().sha256())
                .map(file -> new Served(row.contentType(), file, row.content().size()));
    }

    private static boolean matches(StoredThumbnail row, ThumbnailSize size, String type) {
        return row.width() == size.width() && row.height() == size.height()
                && row.method().equals(size.method().wire()) && row.contentType().equals(type);
    }

    private static MatrixException cannotThumbnail() {
        return MatrixException.unknownBadRequest("Cannot generate thumbnails for the requested content");
    }

    @Override
    public void close() throws InterruptedException {
        background.shutdownNow();
        generator.close();
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("thumbnail_sources", images);
    }
}
