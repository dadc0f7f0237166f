package org.myelin.server.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.http.FramedFileResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.media.MediaStore;
import org.myelin.storage.media.StoredThumbnail;
import org.myelin.storage.media.StoredThumbnails;

/**
 * This server's media as other servers download it (server-server API, "Content Repository"): a
 * {@code multipart/mixed} answer of two parts, the media's metadata as JSON (always {@code {}} for
 * now) and the media, with its {@code Content-Type} and {@code Content-Disposition}, framed
 * byte for byte as Synapse frames it ({@code MultipartFileConsumer}), and sent from disk as it
 * goes. Only this server's own media: other servers ask the origin.
 */
public final class MediaForServers {

    private static final String METADATA = "{}";

    private final ServerName serverName;
    private final MediaDownloads downloads;
    private final StoredThumbnails thumbnails;
    private final MediaStore store;

    public MediaForServers(ServerName serverName, MediaDownloads downloads, StoredThumbnails thumbnails,
                           MediaStore store) {
        this.serverName = serverName;
        this.downloads = downloads;
        this.store = store;
        this.thumbnails = thumbnails;
    }

    /** The media {@code mediaId} names; 404 if none (or quarantined), 504 if not uploaded within {@code timeoutMs}. */
    public FramedFileResponse download(MediaId mediaId, long timeoutMs) throws IOException, InterruptedException {
        MediaDownloads.Servable media = downloads.find(serverName, mediaId, false, false, timeoutMs);
        return multipart(media.contentType(), media.uploadName(), media.file(), media.size());
    }

    /**
     * The stored thumbnail of {@code mediaId} that best fits {@code width} × {@code height} made
     * by {@code method} ({@code crop} or {@code scale}); 404 if the media has none.
     */
    public FramedFileResponse thumbnail(MediaId mediaId, int width, int height, String method, long timeoutMs)
            throws IOException, InterruptedException {
        downloads.find(serverName, mediaId, false, false, timeoutMs); // exists, uploaded, not quarantined
        StoredThumbnail chosen = choose(thumbnails.ofLocal(mediaId), width, height, method)
                .orElseThrow(() -> MatrixException.notFound("No thumbnail of this media"));
        Path file = store.file(chosen.content().sha256())
                .orElseThrow(() -> MatrixException.notFound("No thumbnail of this media"));
        return multipart(chosen.contentType(), null, file, chosen.content().size());
    }

    /**
     * Synapse's choice, simplified: of the thumbnails made by {@code method} (any, if none was), the
     * smallest at least as large as asked (both sides for {@code crop}, either for {@code scale}),
     * or else the largest.
     */
    static Optional<StoredThumbnail> choose(List<StoredThumbnail> all, int width, int height, String method) {
        List<StoredThumbnail> made = all.stream().filter(t -> t.method().equals(method)).toList();
        List<StoredThumbnail> candidates = made.isEmpty() ? all : made;
        Comparator<StoredThumbnail> bySize = Comparator.comparingLong(t -> (long) t.width() * t.height());
        boolean crop = "crop".equals(method);
        return candidates.stream()
                .filter(t -> crop ? t.width() >= width && t.height() >= height : t.width() >= width || t.height() >= height)
                .min(bySize)
                .or(() -> candidates.stream().max(bySize));
    }

    /** Synapse's framing: CRLF, the JSON part, the media part's headers, the file, the closing delimiter. */
    static FramedFileResponse multipart(String contentType, String uploadName, Path file, long size) {
        String type = contentType == null || contentType.isBlank() ? MediaHeaders.OCTET_STREAM : headerSafe(contentType);
        String boundary = UUID.randomUUID().toString().replace("-", "");
        String head = "\r\n--" + boundary + "\r\n"
                + "Content-Type: application/json\r\n\r\n"
                + METADATA + "\r\n--" + boundary + "\r\n"
                + "Content-Type: " + type + "\r\n"
                + "Content-Disposition: " + headerSafe(MediaHeaders.disposition(type, uploadName)) + "\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        return new FramedFileResponse(Map.of("Content-Type", "multipart/mixed; boundary=" + boundary),
                head.getBytes(StandardCharsets.UTF_8), file, size, tail.getBytes(StandardCharsets.US_ASCII));
    }

    /** No line breaks into the part's headers, whatever an uploader sent. */
    private static String headerSafe(String value) {
        return value.replace("\r", "").replace("\n", "");
    }
}
