package org.myelin.server.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.MxcUri;
import org.myelin.protocol.id.ServerName;
import org.myelin.server.http.FramedFileResponse;

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
    private final Thumbnails thumbnails;

    public MediaForServers(ServerName serverName, MediaDownloads downloads, Thumbnails thumbnails) {
        this.serverName = serverName;
        this.downloads = downloads;
        this.thumbnails = thumbnails;
    }

    /** The media {@code mediaId} names; 404 if none (or quarantined), 504 if not uploaded within {@code timeoutMs}. */
    public FramedFileResponse download(MediaId mediaId, long timeoutMs) throws IOException, InterruptedException {
        MediaDownloads.Servable media = downloads.find(serverName, mediaId, false, false, timeoutMs);
        return multipart(media.contentType(), media.uploadName(), media.file(), media.size());
    }

    /**
     * The thumbnail of {@code mediaId} a client of ours asking for {@code request} would get (made
     * if need be); 404 if there is no such media, 400 if it is not an image thumbnailed.
     */
    public FramedFileResponse thumbnail(MediaId mediaId, Thumbnails.Request request, long timeoutMs)
            throws IOException, InterruptedException {
        MediaDownloads.Servable media = downloads.find(serverName, mediaId, false, false, timeoutMs);
        Thumbnails.Served served = thumbnails.thumbnail(new MxcUri(serverName, mediaId), media, request);
        return multipart(served.contentType(), null, served.file(), served.size());
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
