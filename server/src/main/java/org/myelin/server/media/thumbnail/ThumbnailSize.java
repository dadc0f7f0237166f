package org.myelin.server.media.thumbnail;

import java.util.Objects;

/** A thumbnail's size in pixels, as made, and the method it was made with. */
public record ThumbnailSize(int width, int height, ThumbnailMethod method) {

    public ThumbnailSize {
        Objects.requireNonNull(method, "method");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a thumbnail is at least 1x1, not " + width + "x" + height);
        }
    }

    @Override
    public String toString() {
        return width + "x" + height + " " + method.wire();
    }
}
