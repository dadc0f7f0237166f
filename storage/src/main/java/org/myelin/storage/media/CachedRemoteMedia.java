package org.myelin.storage.media;

import java.util.Objects;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.ServerName;

/**
 * Media of another server, {@code mxc://<origin>/<mediaId>}, fetched over federation and kept
 * (table {@code remote_media}); its bytes are in a {@link MediaStore} under {@code content}'s hash.
 * A row may be known without its content ({@code content} null): only thumbnails of it were
 * fetched from its origin, or it was quarantined before it was ever fetched.
 *
 * @param contentType    the type its origin gave (null while its content is not kept)
 * @param content        its content, or null while it is not kept
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
        if (content != null) {
            Objects.requireNonNull(contentType, "contentType");
        }
    }

    /** Whether its content is kept here (else only its thumbnails from the origin, or its quarantine). */
    public boolean hasContent() {
        return content != null;
    }
}
