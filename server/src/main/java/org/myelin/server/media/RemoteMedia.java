package org.myelin.server.media;

import java.util.Optional;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.ServerName;
import org.myelin.storage.media.StoredContent;

/**
 * Media of other servers, as this server serves it to its clients: from its cache, or fetched
 * from the origin ({@code GET /_matrix/federation/v1/media/download/{mediaId}}) into the
 * {@link org.myelin.storage.media.MediaStore} and the {@code remote_media} table
 * ({@link FederatedMedia}). {@link #NONE} knows no remote media: downloads of it are 404.
 */
public interface RemoteMedia {

    /** Knows no remote media. */
    RemoteMedia NONE = new RemoteMedia() {
        @Override
        public Optional<Cached> cached(ServerName origin, MediaId mediaId) {
            return Optional.empty();
        }

        @Override
        public Optional<Cached> find(ServerName origin, MediaId mediaId, long timeoutMs) {
            return Optional.empty();
        }
    };

    /**
     * Remote media, cached and ready to serve.
     *
     * @param authenticated cached while {@code enable_authenticated_media} was on: the deprecated
     *                      unauthenticated endpoints do not serve it
     */
    record Cached(String contentType, String uploadName, StoredContent content, boolean authenticated) {}

    /** {@code mxc://origin/mediaId} if it is in the cache (and not quarantined); the origin is not asked. */
    Optional<Cached> cached(ServerName origin, MediaId mediaId);

    /**
     * {@code mxc://origin/mediaId} from the cache, or fetched from {@code origin} (which may wait up
     * to {@code timeoutMs} for content not uploaded yet); empty when the origin does not have it.
     * Fails with a Matrix error (502) when the origin cannot be asked or its media is too large.
     */
    Optional<Cached> find(ServerName origin, MediaId mediaId, long timeoutMs);
}
