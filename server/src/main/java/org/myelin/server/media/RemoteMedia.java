package org.myelin.server.media;

import java.util.Optional;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.ServerName;
import org.myelin.storage.media.StoredContent;

/**
 * Media of other servers, as this server serves it to its clients: from its cache, or fetched
 * from the origin ({@code GET /_matrix/federation/v1/media/download/{mediaId}}) into the
 * {@link org.myelin.storage.media.MediaStore} and the {@code remote_media} table. Federation
 * provides it; until then {@link #NONE} knows no remote media, and downloads of it are 404.
 */
@FunctionalInterface
public interface RemoteMedia {

    /** Knows no remote media. */
    RemoteMedia NONE = (origin, mediaId, timeoutMs) -> Optional.empty();

    /**
     * Remote media, cached and ready to serve.
     *
     * @param authenticated cached while {@code enable_authenticated_media} was on: the deprecated
     *                      unauthenticated endpoints do not serve it
     */
    record Cached(String contentType, String uploadName, StoredContent content, boolean authenticated) {}

    /**
     * {@code mxc://origin/mediaId} from the cache, or fetched from {@code origin} (waiting up to
     * {@code timeoutMs} for it to start answering); empty when the origin does not have it.
     */
    Optional<Cached> find(ServerName origin, MediaId mediaId, long timeoutMs);
}
