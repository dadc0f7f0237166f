package org.myelin.server.media.thumbnail;

import java.io.IOException;

/**
 * An image whose header could be read but whose pixels cannot be decoded (corrupt or truncated
 * data, a variant the decoder does not know such as a CMYK JPEG): it gets no thumbnail, whereas
 * another {@link IOException} (a disk failing) may pass.
 */
public final class UndecodableImageException extends IOException {

    public UndecodableImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
