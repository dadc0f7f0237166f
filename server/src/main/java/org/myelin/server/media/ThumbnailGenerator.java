package org.myelin.server.media;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.myelin.protocol.id.MxcUri;
import org.myelin.server.media.thumbnail.SourceImage;
import org.myelin.server.media.thumbnail.ThumbnailSize;
import org.myelin.server.media.thumbnail.Thumbnailer;
import org.myelin.storage.media.MediaStore;
import org.myelin.storage.media.StoredContent;
import org.myelin.storage.media.StoredThumbnail;
import org.myelin.storage.media.ThumbnailRepository;

/**
 * Makes thumbnails and keeps them: content in the {@link MediaStore} (named by its hash like any
 * content), a row in the thumbnails tables. Decoding and scaling are CPU work of up to a second
 * for a large photo, so they run on a few platform threads of their own: on the virtual threads
 * that serve requests they would hold a carrier thread each (virtual threads are not preempted)
 * and stall every other request. Those threads are few, so that the memory of the images being
 * decoded at once stays bounded, and a request waits for its thumbnail without holding one.
 *
 * <p>A thumbnail being made is made once: a second request for it waits for the first. That is a
 * saving, not a rule: two processes making the same one store the same bytes, and the row is
 * written by whoever finishes last.
 */
final class ThumbnailGenerator implements AutoCloseable {

    /** A thumbnail being made: of which media, which size. */
    private record Making(MxcUri media, ThumbnailSize size) {}

    private final MediaStore store;
    private final ThumbnailRepository rows;
    private final Clock clock;
    private final ExecutorService workers;
    private final Map<Making, CompletableFuture<StoredThumbnail>> inFlight = new ConcurrentHashMap<>();

    ThumbnailGenerator(MediaStore store, ThumbnailRepository rows, Clock clock) {
        this.store = store;
        this.rows = rows;
        this.clock = clock;
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        this.workers = Executors.newFixedThreadPool(threads,
                Thread.ofPlatform().name("thumbnailer-", 1).daemon(true).factory());
    }

    /**
     * Makes the thumbnails of {@code image} (the content of {@code media}, in {@code file}) in the
     * sizes of {@code sizes}, decoding it once, unless they are being made already; each future
     * ends with its thumbnail stored, or with the reason it could not be made.
     */
    Map<ThumbnailSize, CompletableFuture<StoredThumbnail>> make(MxcUri media, Path file, SourceImage image,
                                                                List<ThumbnailSize> sizes) {
        Map<ThumbnailSize, CompletableFuture<StoredThumbnail>> futures = new LinkedHashMap<>();
        Map<ThumbnailSize, CompletableFuture<StoredThumbnail>> mine = new LinkedHashMap<>();
        for (ThumbnailSize size : sizes) {
            CompletableFuture<StoredThumbnail> created = new CompletableFuture<>();
            CompletableFuture<StoredThumbnail> existing = inFlight.putIfAbsent(new Making(media, size), created);
            futures.put(size, existing != null ? existing : created);
            if (existing == null) {
                mine.put(size, created);
            }
        }
        if (!mine.isEmpty()) {
            try {
                workers.execute(() -> makeNow(media, file, image, mine));
            } catch (RuntimeException e) { // closed
                finish(media, mine, null, e);
            }
        }
        return futures;
    }

    private void makeNow(MxcUri media, Path file, SourceImage image,
                         Map<ThumbnailSize, CompletableFuture<StoredThumbnail>> mine) {
        try {
            List<Thumbnailer.Encoded> encoded = Thumbnailer.render(file, image, new ArrayList<>(mine.keySet()));
            Map<ThumbnailSize, StoredThumbnail> stored = new LinkedHashMap<>();
            for (Thumbnailer.Encoded thumbnail : encoded) {
                StoredContent content = store.put(new ByteArrayInputStream(thumbnail.bytes()), thumbnail.bytes().length);
                ThumbnailSize size = thumbnail.size();
                StoredThumbnail row = new StoredThumbnail(size.width(), size.height(), size.method().wire(),
                        thumbnail.contentType(), content);
                rows.put(media, row, clock.millis());
                stored.put(size, row);
            }
            finish(media, mine, stored, null);
        } catch (Exception | OutOfMemoryError e) {
            // Out of memory too: the pixel limit should prevent it, and the decoded image is garbage now.
            finish(media, mine, null, e);
        }
    }

    private void finish(MxcUri media, Map<ThumbnailSize, CompletableFuture<StoredThumbnail>> mine,
                        Map<ThumbnailSize, StoredThumbnail> stored, Throwable failure) {
        mine.forEach((size, future) -> {
            inFlight.remove(new Making(media, size), future);
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(stored.get(size));
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        workers.shutdownNow();
        workers.awaitTermination(5, TimeUnit.SECONDS);
    }
}
