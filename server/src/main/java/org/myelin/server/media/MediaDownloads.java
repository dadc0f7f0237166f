package org.myelin.server.media;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.config.HomeserverConfig;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.media.LocalMedia;
import org.myelin.storage.media.MediaRepository;
import org.myelin.storage.media.MediaStore;
import org.myelin.storage.media.StoredContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds what a download of {@code mxc://server/mediaId} serves (client-server API, "Content
 * repository"): this server's media from its table, other servers' through {@link RemoteMedia}.
 * Quarantined media is served to nobody; media uploaded (or cached) while authenticated media was
 * on is not served by the deprecated unauthenticated endpoints; a media id made by
 * {@code /create} is waited for, up to the request's {@code timeout_ms}, as Synapse does.
 */
public final class MediaDownloads {

    /** Content ready to send: its type and name as uploaded, and the file that holds it. */
    public record Servable(String contentType, String uploadName, Path file, long size) {}

    /** The spec's default {@code timeout_ms}. */
    static final long DEFAULT_TIMEOUT_MS = 20_000;
    /** The longest {@code timeout_ms} honoured (Synapse's). */
    static final long MAX_TIMEOUT_MS = 60_000;
    /** How often a media id waited for is looked up again (Synapse's). */
    private static final long POLL_MS = 500;

    private static final Logger LOG = LoggerFactory.getLogger(MediaDownloads.class);

    private final ServerName serverName;
    private final MediaStore store;
    private final MediaRepository repository;
    private final RemoteMedia remote;
    private final HomeserverConfig.Media config;
    private final Clock clock;

    public MediaDownloads(ServerName serverName, MediaStore store, MediaRepository repository, RemoteMedia remote,
                          HomeserverConfig.Media config, Clock clock) {
        this.serverName = serverName;
        this.store = store;
        this.repository = repository;
        this.remote = remote;
        this.config = config;
        this.clock = clock;
    }

    /**
     * What {@code mxc://server/mediaId} serves; 404 {@code M_NOT_FOUND} if nothing (or nothing for
     * an {@code unauthenticated} request), 504 {@code M_NOT_YET_UPLOADED} if its content has not
     * come within {@code timeoutMs}.
     *
     * @param allowRemote false: media of other servers is served only if cached ({@code allow_remote=false})
     */
    public Servable find(ServerName server, MediaId mediaId, boolean unauthenticated, boolean allowRemote,
                         long timeoutMs) throws IOException, InterruptedException {
        long timeout = Math.min(Math.max(0, timeoutMs), MAX_TIMEOUT_MS);
        if (server.equals(serverName)) {
            LocalMedia media = waitForLocal(mediaId, unauthenticated, timeout);
            return servable(media.upload().contentType(), media.upload().uploadName(), media.upload().content());
        }
        boolean cacheOnly = !fetchesRemote(server, unauthenticated, allowRemote);
        RemoteMedia.Cached cached = (cacheOnly ? remote.cached(server, mediaId) : remote.find(server, mediaId, timeout))
                .orElseThrow(MediaDownloads::notFound);
        if (unauthenticated && cached.authenticated() && config.enableAuthenticatedMedia()) {
            throw notFound();
        }
        return servable(cached.contentType(), cached.uploadName(), cached.content());
    }

    /**
     * Whether a request for {@code server}'s media may fetch it from there: not for this server's
     * own; not with {@code allow_remote=false} (no routing loops); and not by the deprecated
     * unauthenticated endpoints once authenticated media is on, which serve only what was cached
     * before (Synapse's rule).
     */
    public boolean fetchesRemote(ServerName server, boolean unauthenticated, boolean allowRemote) {
        return !server.equals(serverName) && allowRemote && !(unauthenticated && config.enableAuthenticatedMedia());
    }

    private LocalMedia waitForLocal(MediaId mediaId, boolean unauthenticated, long timeoutMs)
            throws InterruptedException {
        long deadline = clock.millis() + timeoutMs;
        while (true) {
            LocalMedia media = repository.find(mediaId).orElseThrow(MediaDownloads::notFound);
            if (media.quarantinedBy() != null) {
                throw notFound();
            }
            if (unauthenticated && media.authenticated() && config.enableAuthenticatedMedia()) {
                throw notFound();
            }
            if (media.uploaded()) {
                return media;
            }
            long now = clock.millis();
            if (media.createdTs() < now - config.unusedExpirationTimeMs()) {
                throw notFound();
            }
            if (now >= deadline) {
                throw MatrixException.of(ErrCode.M_NOT_YET_UPLOADED, "Media has not been uploaded yet");
            }
            Thread.sleep(Math.min(POLL_MS, deadline - now));
        }
    }

    private Servable servable(String contentType, String uploadName, StoredContent content) throws IOException {
        Optional<Path> file = store.file(content.sha256());
        if (file.isEmpty()) {
            LOG.warn("Content {} of a media id is missing from the media store", content.sha256());
            throw notFound();
        }
        return new Servable(contentType, uploadName, file.get(), content.size());
    }

    private static MatrixException notFound() {
        return MatrixException.notFound("Not found");
    }
}
