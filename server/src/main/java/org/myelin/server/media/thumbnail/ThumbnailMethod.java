package org.myelin.server.media.thumbnail;

import java.util.Optional;

/**
 * How a thumbnail fits the size asked (client-server API, "Thumbnails"): {@code scale} keeps
 * the image's aspect ratio, {@code crop} gives the aspect ratio asked, cutting what overflows.
 */
public enum ThumbnailMethod {
    CROP("crop"),
    SCALE("scale");

    private final String wire;

    ThumbnailMethod(String wire) {
        this.wire = wire;
    }

    /** Its name in requests and in the thumbnails tables. */
    public String wire() {
        return wire;
    }

    /** The method named {@code wire}; empty for any other name. */
    public static Optional<ThumbnailMethod> of(String wire) {
        for (ThumbnailMethod m : values()) {
            if (m.wire.equals(wire)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
