package org.myelin.server.media.thumbnail;

import java.util.Locale;
import java.util.Optional;

/**
 * The image formats thumbnailed, and only these (Synapse's {@code PILLOW_FORMATS}): each decoder
 * is code that reads what anyone uploads, so the list is kept short.
 */
public enum ImageFormat {
    JPEG("image/jpeg"),
    PNG("image/png"),
    GIF("image/gif"),
    WEBP("image/webp");

    private final String contentType;

    ImageFormat(String contentType) {
        this.contentType = contentType;
    }

    /** The content type of content in this format. */
    public String contentType() {
        return contentType;
    }

    /** The format an ImageIO reader calls {@code formatName}; empty for those not thumbnailed. */
    static Optional<ImageFormat> ofImageIoName(String formatName) {
        return switch (formatName.toLowerCase(Locale.ROOT)) {
            case "jpeg", "jpg" -> Optional.of(JPEG);
            case "png" -> Optional.of(PNG);
            case "gif" -> Optional.of(GIF);
            case "webp" -> Optional.of(WEBP);
            default -> Optional.empty();
        };
    }

    /**
     * Whether media uploaded as {@code contentType} is thumbnailed: the types of Synapse's
     * {@code THUMBNAIL_SUPPORTED_MEDIA_FORMAT_MAP}, parameters aside.
     */
    public static boolean thumbnailable(String contentType) {
        if (contentType == null) {
            return false;
        }
        String essence = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (essence) {
            case "image/jpeg", "image/jpg", "image/png", "image/gif", "image/webp" -> true;
            default -> false;
        };
    }
}
