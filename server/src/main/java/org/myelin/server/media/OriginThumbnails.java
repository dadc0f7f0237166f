package org.myelin.server.media;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import org.myelin.federation.client.FederationClientException;
import org.myelin.federation.media.RemoteMediaClient;
import org.myelin.protocol.id.MxcUri;
import org.myelin.storage.media.CachedRemoteMedia;
import org.myelin.storage.media.ContentCollector;
import org.myelin.storage.media.MediaStore;
import org.myelin.storage.media.OriginThumbnailRepository;
import org.myelin.storage.media.RemoteMediaRepository;
import org.myelin.storage.media.StoredContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thumbnails of other servers' media that is not cached here, asked of its origin
 * ({@code GET /_matrix/federation/v1/media/thumbnail/{mediaId}}, or the deprecated
 * {@code /_matrix/media/v3/thumbnail}) rather than made from the whole media downloaded first,
 * as Synapse does (its own "TODO: Don't download the whole remote file"): a timeline of images
 * costs their thumbnails, not their full files. Each is kept under the request that fetched it
 * ({@code remote_media_origin_thumbnails}) and served again. Media cached here is thumbnailed
 * here ({@link Thumbnails}), and so is media whose origin cannot thumbnail it (an error other
 * than 404, an answer that is no image): the whole media is fetched then, as before.
 */
public final class OriginThumbnails {

    private static final Logger LOG = LoggerFactory.getLogger(OriginThumbnails.class);
    /** How stale {@code last_access_ts} may get before a thumbnail served writes it again. */
    private static final long ACCESS_RESOLUTION_MS = 60_000;

    /** What a request for a thumbnail of remote media gets. */
    public sealed interface Outcome {
        /** The origin's thumbnail. */
        record Served(Thumbnails.Served thumbnail) implements Outcome {}

        /** Thumbnail the media itself: it is cached here, or its origin could not thumbnail it. */
        record FromMedia() implements Outcome {}

        /** No such media (the origin says so), or it is quarantined here. */
        record NotFound() implements Outcome {}
    }

    /** Where fetched thumbnails go. */
    public record Storage(MediaStore store, RemoteMediaRepository media, OriginThumbnailRepository thumbnails,
                          ContentCollector contents) {}

    private final Storage storage;
    private final long maxBytes;
    private final boolean authenticatedMedia;
    private final Clock clock;
    private volatile RemoteMediaClient origins;

    /**
     * @param maxBytes           the largest thumbnail kept ({@code media.max_upload_size})
     * @param authenticatedMedia whether media known from now on is served only by the authenticated endpoints
     */
    public OriginThumbnails(Storage storage, long maxBytes, boolean authenticatedMedia, Clock clock) {
        this.storage = storage;
        this.maxBytes = maxBytes;
        this.authenticatedMedia = authenticatedMedia;
        this.clock = clock;
    }

    /** Asks origins with {@code client}; until called, every request thumbnails the media itself. */
    public void fetchWith(RemoteMediaClient client) {
        this.origins = client;
    }

    /** The thumbnail of remote {@code media} that answers {@code request}, kept or asked of its origin now. */
    public Outcome thumbnail(MxcUri media, Thumbnails.Request request, long timeoutMs) throws IOException {
        Optional<CachedRemoteMedia> known = storage.media().find(media.server(), media.mediaId());
        if (known.isPresent() && known.get().quarantinedBy() != null) {
            return new Outcome.NotFound();
        }
        if (known.isPresent() && known.get().hasContent()) {
            return new Outcome.FromMedia();
        }
        OriginThumbnailRepository.Asked asked = new OriginThumbnailRepository.Asked(request.width(), request.height(),
                request.method().wire(), request.animated());
        Optional<OriginThumbnailRepository.Fetched> kept = storage.thumbnails().find(media, asked);
        if (kept.isPresent()) {
            Optional<Path> file = storage.store().file(kept.get().content().sha256());
            if (file.isPresent()) {
                accessed(media, known);
                return served(kept.get(), file.get());
            }
        }
        return fetch(media, asked, timeoutMs);
    }

    private Outcome fetch(MxcUri media, OriginThumbnailRepository.Asked asked, long timeoutMs) throws IOException {
        RemoteMediaClient client = origins;
        if (client == null) {
            return new Outcome.FromMedia();
        }
        RemoteMediaClient.Downloaded<StoredContent> downloaded;
        try {
            downloaded = client.thumbnail(media.server(), media.mediaId(), new RemoteMediaClient.ThumbnailRequest(
                    asked.width(), asked.height(), asked.method(), asked.animated()), timeoutMs, maxBytes,
                    content -> storage.store().put(content, maxBytes));
        } catch (FederationClientException e) {
            if (e.kind() == FederationClientException.Kind.HTTP_ERROR && e.status() == 404) {
                return new Outcome.NotFound();
            }
            LOG.info("The origin of {} gave no thumbnail ({}): thumbnailing the media", media, e.getMessage());
            return new Outcome.FromMedia();
        } catch (IOException e) {
            LOG.info("The origin of {} gave no thumbnail ({}): thumbnailing the media", media, e.toString());
            return new Outcome.FromMedia();
        }
        String type = mediaType(downloaded.contentType());
        if (!type.startsWith("image/")) {
            storage.contents().deleteIfUnreferenced(downloaded.content().sha256());
            LOG.info("The origin of {} answered a thumbnail of type {}: thumbnailing the media", media, type);
            return new Outcome.FromMedia();
        }
        long now = clock.millis();
        storage.media().ensureKnown(media.server(), media.mediaId(), authenticatedMedia, now);
        OriginThumbnailRepository.Fetched fetched = new OriginThumbnailRepository.Fetched(type, downloaded.content());
        storage.thumbnails().put(media, asked, fetched, now);
        Optional<Path> file = storage.store().file(fetched.content().sha256());
        if (file.isEmpty()) {
            throw new IOException("a thumbnail fetched has gone from the store");
        }
        return served(fetched, file.get());
    }

    private void accessed(MxcUri media, Optional<CachedRemoteMedia> known) {
        long now = clock.millis();
        if (known.isEmpty() || known.get().lastAccessTs() < now - ACCESS_RESOLUTION_MS) {
            storage.media().accessed(media.server(), media.mediaId(), now);
        }
    }

    private static Outcome served(OriginThumbnailRepository.Fetched fetched, Path file) {
        return new Outcome.Served(new Thumbnails.Served(fetched.contentType(), file, fetched.content().size()));
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }
}
