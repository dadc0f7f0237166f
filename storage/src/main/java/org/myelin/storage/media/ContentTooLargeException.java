package org.myelin.storage.media;

import java.io.IOException;

/** The content given to {@link MediaStore#put} was longer than its limit; nothing of it was kept. */
public final class ContentTooLargeException extends IOException {

    private final long maxBytes;

    public ContentTooLargeException(long maxBytes) {
        super("content longer than " + maxBytes + " bytes");
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }
}
