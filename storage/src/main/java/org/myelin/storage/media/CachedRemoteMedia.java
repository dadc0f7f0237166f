package org.myelin.storage.media;

import java.util.Objects;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.ServerName;

/**
 * Media of another server, {@code mxc://<origin>/<mediaId>}, fetched over federation and kept
 * (table {@code remote_media}); its bytes are in a {@link MediaStore} under {@code content}'s hash.
 *
 * @param contentType    the type its origin gave
 * @param uploadName     the file name its origin gave, or null
 * @param authenticated  fetched while {@code enable_authenticated_media} was on: served only by
 *                       the authenticated endpoints
 * @param quarantinedBy  who quarantined it (then it is served to nobody), or null
 * @param lastAccessTs   when it was last served, for retention
 */
public record CachedRemoteMedia(ServerName origin, MediaId mediaId, String contentType, String uploadName,
                                StoredContent content, long fetchedTs, boolean authenticated, String quarantinedBy,
                                long lastAccessTs) {

    public CachedRemoteMedia {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(mediaId, "mediaId");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(content, "content");
    }
}
