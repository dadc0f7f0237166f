package org.myelin.storage.media;

/**
 * A thumbnail of a piece of media, made earlier and kept (tables {@code local_media_thumbnails}
 * and {@code remote_media_thumbnails}): its size, how it was made ({@code crop} or {@code scale})
 * and its type; its bytes are in a {@link MediaStore} under {@code content}'s hash.
 */
public record StoredThumbnail(int width, int height, String method, String contentType, StoredContent content) {}
