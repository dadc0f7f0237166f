package org.myelin.server.media.thumbnail;

/**
 * What an image's header says of it, read without decoding its pixels ({@link ImageProbe}).
 *
 * @param width       its width as shown, after its EXIF orientation
 * @param height      its height as shown
 * @param orientation its EXIF orientation (1 to 8; 1: as stored)
 * @param animated    it has more than one frame (GIF, WebP); thumbnails show the first
 * @param alpha       it may have transparent pixels
 */
public record SourceImage(ImageFormat format, int width, int height, int orientation, boolean animated,
                          boolean alpha) {

    public long pixels() {
        return (long) width * height;
    }

    /**
     * The type of its thumbnails, as Synapse's: JPEG for JPEG and WebP, PNG for PNG and GIF (which
     * may have transparency); a WebP with transparency gets PNG too, which keeps it.
     */
    public String thumbnailType() {
        return format == ImageFormat.JPEG || (format == ImageFormat.WEBP && !alpha) ? "image/jpeg" : "image/png";
    }
}
