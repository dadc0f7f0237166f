package org.myelin.storage.media;

import java.util.Objects;

/**
 * A thumbnail of a piece of media, kept in the {@link MediaStore} like any content: one per size,
 * method and type (tables {@code local_media_thumbnails} and {@code remote_media_thumbnails}).
 *
 * @param width       its width in pixels, as made (not as asked for)
 * @param height      its height in pixels, as made
 * @param method      {@code crop} or {@code scale}
 * @param contentType {@code image/jpeg} or {@code image/png}
 */
public record StoredThumbnail(int width, int height, String method, String contentType, StoredContent content) {

    public StoredThumbnail {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(content, "content");
    }
}
