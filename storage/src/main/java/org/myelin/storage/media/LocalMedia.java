package org.myelin.storage.media;

import java.util.Objects;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.UserId;

/**
 * A media id of this server, {@code mxc://<our server>/<mediaId>}, and its content once uploaded.
 *
 * @param createdTs      when the id was made (by an upload, or by {@code POST /media/v1/create})
 * @param authenticated  made while {@code enable_authenticated_media} was on: served only by the
 *                       authenticated endpoints
 * @param quarantinedBy  who quarantined it (then it is served to nobody), or null
 * @param upload         its content, or null while an id made by {@code /create} waits for it
 */
public record LocalMedia(MediaId mediaId, UserId uploader, long createdTs, boolean authenticated,
                         String quarantinedBy, Upload upload) {

    public LocalMedia {
        Objects.requireNonNull(mediaId, "mediaId");
        Objects.requireNonNull(uploader, "uploader");
    }

    /**
     * What was uploaded.
     *
     * @param contentType the {@code Content-Type} it was uploaded with
     * @param uploadName  the {@code filename} it was uploaded with, or null
     */
    public record Upload(String contentType, String uploadName, StoredContent content, long uploadedTs) {
        public Upload {
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(content, "content");
        }
    }

    public boolean uploaded() {
        return upload != null;
    }
}
