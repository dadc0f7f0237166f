package org.myelin.server.media;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.myelin.federation.client.FederationClientException;
import org.myelin.federation.media.RemoteMediaClient;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.media.CachedRemoteMedia;
import org.myelin.storage.media.ContentTooLargeException;
import org.myelin.storage.media.MediaStore;
import org.myelin.storage.media.RemoteMediaRepository;
import org.myelin.storage.media.StoredContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Other servers' media for this server's clients (client-server API, "Content repository";
 * server-server API, "Content Repository"): served from the cache (the media store and the
 * {@code remote_media} table), or downloaded from its origin once, streamed into the store, and
 * kept. Requests for media being downloaded wait for that download rather than start another
 * (in this process; across processes the table's upsert settles it). Errors are Synapse's: 404
 * {@code M_NOT_FOUND} when the origin has no such media, 502 {@code M_TOO_LARGE} past
 * {@code media.max_upload_size}, 502 when the origin cannot be asked or answers otherwise.
 */
public final class FederatedMedia implements RemoteMedia {

    private static final Logger LOG = LoggerFactory.getLogger(FederatedMedia.class);
    /** How stale {@code last_access_ts} may get before a download writes it again. */
    private static final long ACCESS_RESOLUTION_MS = 60_000;

    private record Key(ServerName origin, MediaId mediaId) {}

    private sealed interface Lookup {
        record Hit(Cached media) implements Lookup {}

        /** Known but served to nobody: not fetched again either. */
        record Quarantined() implements Lookup {}

        record Miss() implements Lookup {}
    }

    private final MediaStore store;
    private final RemoteMediaRepository repository;
    private final long maxBytes;
    private final boolean authenticatedMedia;
    private final Clock clock;
    private final ConcurrentHashMap<Key, CompletableFuture<Optional<Cached>>> downloading = new ConcurrentHashMap<>();
    private volatile RemoteMediaClient origins;

    /**
     * @param maxBytes           the largest remote media kept ({@code media.max_upload_size})
     * @param authenticatedMedia whether media fetched now is served only by the authenticated endpoints
     */
    public FederatedMedia(MediaStore store, RemoteMediaRepository repository, long maxBytes,
                          boolean authenticatedMedia, Clock clock) {
        this.store = store;
        this.repository = repository;
        this.maxBytes = maxBytes;
        this.authenticatedMedia = authenticatedMedia;
        this.clock = clock;
    }

    /** Downloads from origins with {@code client}; until called, only cached media is served. */
    public void downloadWith(RemoteMediaClient client) {
        this.origins = client;
    }

    @Override
    public Optional<Cached> cached(ServerName origin, MediaId mediaId) {
        return lookup(origin, mediaId) instanceof Lookup.Hit hit ? Optional.of(hit.media()) : Optional.empty();
    }

    @Override
    public Optional<Cached> find(ServerName origin, MediaId mediaId, long timeoutMs) {
        return switch (lookup(origin, mediaId)) {
            case Lookup.Hit hit -> Optional.of(hit.media());
            case Lookup.Quarantined quarantined -> Optional.empty();
            case Lookup.Miss miss -> downloadOnce(new Key(origin, mediaId), timeoutMs);
        };
    }

    private Lookup lookup(ServerName origin, MediaId mediaId) {
        Optional<CachedRemoteMedia> row = repository.find(origin, mediaId);
        if (row.isEmpty()) {
            return new Lookup.Miss();
        }
        CachedRemoteMedia media = row.get();
        if (media.quarantinedBy() != null) {
            return new Lookup.Quarantined();
        }
        if (!media.hasContent()) {
            return new Lookup.Miss(); // only thumbnails of it were fetched
        }
        try {
            if (!store.exists(media.content().sha256())) {
                LOG.warn("Content of {}/{} is missing from the media store: fetching it again", origin, mediaId);
                return new Lookup.Miss();
            }
        } catch (IOException e) {
            throw new IllegalStateException("media store: " + e.getMessage(), e);
        }
        long now = clock.millis();
        if (media.lastAccessTs() < now - ACCESS_RESOLUTION_MS) {
            repository.accessed(origin, mediaId, now);
        }
        return new Lookup.Hit(cached(media));
    }

    /** The one download of {@code key} in this process: started here, or one already running waited for. */
    private Optional<Cached> downloadOnce(Key key, long timeoutMs) {
        CompletableFuture<Optional<Cached>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<Cached>> running = downloading.putIfAbsent(key, mine);
        if (running != null) {
            return await(running);
        }
        try {
            // A download that finished between our lookup and now has left its row.
            Optional<Cached> result = lookup(key.origin(), key.mediaId()) instanceof Lookup.Hit hit
                    ? Optional.of(hit.media()) : download(key, timeoutMs);
            mine.complete(result);
            return result;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            downloading.remove(key, mine);
        }
    }

    private static Optional<Cached> await(CompletableFuture<Optional<Cached>> download) {
        try {
            return download.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw failed();
        }
    }

    private Optional<Cached> download(Key key, long timeoutMs) {
        RemoteMediaClient client = origins;
        if (client == null) {
            return Optional.empty();
        }
        RemoteMediaClient.Downloaded<StoredContent> downloaded;
        try {
            downloaded = client.download(key.origin(), key.mediaId(), timeoutMs, maxBytes,
                    content -> store.put(content, maxBytes));
        } catch (ContentTooLargeException e) {
            LOG.info("Remote media {}/{} is larger than {} bytes: refused", key.origin(), key.mediaId(), maxBytes);
            throw MatrixException.of(ErrCode.M_TOO_LARGE, "Requested file is too large > " + maxBytes + " bytes")
                    .withStatus(502);
        } catch (FederationClientException e) {
            if (e.kind() == FederationClientException.Kind.HTTP_ERROR && e.status() == 404) {
                return Optional.empty();
            }
            if (e.getCause() instanceof RuntimeException bug) { // not the network: say where
                LOG.warn("Failed to fetch remote media {}/{}: {}", key.origin(), key.mediaId(), e.getMessage(), bug);
            } else {
                LOG.warn("Failed to fetch remote media {}/{}: {}", key.origin(), key.mediaId(), e.getMessage());
            }
            throw failed();
        } catch (IOException e) {
            LOG.warn("Failed to fetch remote media {}/{}: {}", key.origin(), key.mediaId(), e.toString());
            throw failed();
        }
        long now = clock.millis();
        CachedRemoteMedia media = new CachedRemoteMedia(key.origin(), key.mediaId(), downloaded.contentType(),
                downloaded.fileName(), downloaded.content(), now, authenticatedMedia, null, now);
        repository.store(media);
        LOG.info("Fetched remote media {}/{}: {} bytes of {}", key.origin(), key.mediaId(), media.content().size(),
                media.contentType());
        return cached(key.origin(), key.mediaId());
    }

    private static Cached cached(CachedRemoteMedia media) {
        return new Cached(media.contentType(), media.uploadName(), media.content(), media.authenticated());
    }

    /** Synapse's answer when remote media cannot be had: 502 {@code M_UNKNOWN}. */
    private static MatrixException failed() {
        return MatrixException.of(ErrCode.M_UNKNOWN, "Failed to fetch remote media").withStatus(502);
    }
}
