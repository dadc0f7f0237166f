package org.myelin.federation.media;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.Set;
import org.myelin.federation.client.FederationClient;
import org.myelin.federation.client.FederationClientException;
import org.myelin.federation.client.HttpTransport.StreamedResponse;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.storage.media.ContentTooLargeException;

/**
 * Downloads media, and thumbnails of it, from its origin server (server-server API, "Content
 * Repository"): first {@code GET /_matrix/federation/v1/media/download/{mediaId}} (or
 * {@code /thumbnail/{mediaId}}), whose {@code multipart/mixed}
 * answer holds a JSON part and then the media or a {@code Location} to fetch it from; from a server
 * that does not know that endpoint (404 or 405 {@code M_UNRECOGNIZED}, or older Synapse's 400), the
 * deprecated {@code GET /_matrix/media/v3/download/{origin}/{mediaId}?allow_remote=false}, following
 * one redirect, as Synapse does. The bytes stream to a {@link Sink} (the media store) as they come,
 * never whole into memory.
 */
public final class RemoteMediaClient {

    /** Where the media's bytes go; what it returns is handed back with what the origin said of them. */
    @FunctionalInterface
    public interface Sink<T> {
        /** Reads {@code content} to its end; throws {@link ContentTooLargeException} past the limit. */
        T write(InputStream content) throws IOException;
    }

    /**
     * Media downloaded.
     *
     * @param contentType the type the origin gave ({@code application/octet-stream} if none)
     * @param fileName    the name its {@code Content-Disposition} gave, or null
     * @param content     what the sink made of its bytes
     */
    public record Downloaded<T>(String contentType, String fileName, T content) {}

    static final String OCTET_STREAM = "application/octet-stream";
    /** Room for the multipart framing and the JSON part around the media, within a declared length. */
    static final long FRAMING_BYTES = 64 * 1024;
    /** The most bytes of an error answer read. */
    private static final int MAX_ERROR_BYTES = 64 * 1024;
    private static final int MAX_JSON_PART_BYTES = 64 * 1024;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final FederationClient client;

    public RemoteMediaClient(FederationClient client) {
        this.client = client;
    }

    /**
     * Downloads {@code mxc://origin/mediaId} into {@code sink}.
     *
     * @param timeoutMs how long the origin may wait for content not uploaded yet ({@code timeout_ms})
     * @param maxBytes  the largest media accepted: past it, nothing is kept
     * @throws FederationClientException the origin could not be reached, answered with an error
     *                                   ({@code HTTP_ERROR}, its status and errcode) or with
     *                                   something that is not media
     * @throws ContentTooLargeException  the media is larger than {@code maxBytes}
     * @throws IOException               the answer broke off, or the sink failed
     */
    public <T> Downloaded<T> download(ServerName origin, MediaId mediaId, long timeoutMs, long maxBytes, Sink<T> sink)
            throws FederationClientException, IOException {
        String federation = "/_matrix/federation/v1/media/download/" + mediaId.value() + "?timeout_ms=" + timeoutMs;
        String legacy = "/_matrix/media/v3/download/" + origin + "/" + mediaId.value()
                + "?allow_remote=false&timeout_ms=" + timeoutMs + "&allow_redirect=true";
        return fetch(origin, federation, legacy, maxBytes, sink);
    }

    /** A thumbnail asked of an origin: at least {@code width} by {@code height}, made with {@code method}. */
    public record ThumbnailRequest(int width, int height, String method, boolean animated) {}

    /**
     * Downloads into {@code sink} the thumbnail of {@code mxc://origin/mediaId} its origin makes
     * for {@code request}: {@code GET /_matrix/federation/v1/media/thumbnail/{mediaId}}, or, from a
     * server that does not know it, the deprecated {@code GET /_matrix/media/v3/thumbnail}. Fails
     * as {@link #download} does; an origin that cannot thumbnail the media answers an error.
     */
    public <T> Downloaded<T> thumbnail(ServerName origin, MediaId mediaId, ThumbnailRequest request, long timeoutMs,
                                       long maxBytes, Sink<T> sink) throws FederationClientException, IOException {
        String query = "width=" + request.width() + "&height=" + request.height() + "&method=" + request.method()
                + "&animated=" + request.animated() + "&timeout_ms=" + timeoutMs;
        String federation = "/_matrix/federation/v1/media/thumbnail/" + mediaId.value() + "?" + query;
        String legacy = "/_matrix/media/v3/thumbnail/" + origin + "/" + mediaId.value() + "?" + query
                + "&allow_remote=false&allow_redirect=true";
        return fetch(origin, federation, legacy, maxBytes, sink);
    }

    /** Asks {@code federation} of {@code origin}, then {@code legacy} if it does not know that endpoint. */
    private <T> Downloaded<T> fetch(ServerName origin, String federation, String legacy, long maxBytes, Sink<T> sink)
            throws FederationClientException, IOException {
        String destination = origin.toString();
        try (StreamedResponse answer = client.open(destination, federation)) {
            if (answer.status() == 200) {
                return multipart(answer, maxBytes, sink);
            }
            byte[] error = answer.readAtMost(MAX_ERROR_BYTES);
            if (!isUnknownEndpoint(answer.status(), error)) {
                throw httpError(destination, answer.status(), error);
            }
        }
        try (StreamedResponse answer = client.open(destination, legacy)) {
            if (REDIRECTS.contains(answer.status()) && answer.header("location") != null) {
                try (StreamedResponse redirected = follow(destination, answer.header("location"))) {
                    return plain(destination, redirected, maxBytes, sink);
                }
            }
            return plain(destination, answer, maxBytes, sink);
        }
    }

    /** The federation endpoint's answer: a JSON part, then the media or where to fetch it. */
    private <T> Downloaded<T> multipart(StreamedResponse answer, long maxBytes, Sink<T> sink)
            throws FederationClientException, IOException {
        String boundary = MultipartReader.boundaryOf(answer.header("content-type")).orElseThrow(() ->
                FederationClientException.badResponse("media answer is not multipart/mixed with a boundary"));
        if (answer.contentLength() > maxBytes + FRAMING_BYTES) {
            throw new ContentTooLargeException(maxBytes);
        }
        MultipartReader reader;
        try {
            reader = new MultipartReader(answer.body(), boundary);
        } catch (IllegalArgumentException e) {
            throw FederationClientException.badResponse(e.getMessage());
        }
        MultipartReader.Part metadata = reader.next().orElseThrow(() ->
                FederationClientException.badResponse("media answer has no parts"));
        byte[] json = metadata.body().readNBytes(MAX_JSON_PART_BYTES + 1);
        if (json.length > MAX_JSON_PART_BYTES || !isJsonObject(json)) {
            throw FederationClientException.badResponse("media answer's first part is not a JSON object");
        }
        MultipartReader.Part media = reader.next().orElseThrow(() ->
                FederationClientException.badResponse("media answer has no media part"));
        Optional<String> location = media.header("location");
        if (location.isPresent()) {
            // Where the origin keeps it (a CDN, say): not cached, as the spec asks, but fetched now.
            try (StreamedResponse redirected = client.openUrl(uri(location.get()))) {
                return plain(location.get(), redirected, maxBytes, sink);
            }
        }
        String type = media.header("content-type").orElse(OCTET_STREAM);
        String name = ContentDisposition.fileName(media.header("content-disposition").orElse(null)).orElse(null);
        return new Downloaded<>(type, name, sink.write(media.body()));
    }

    /** A plain answer whose body is the media (the deprecated endpoint, or a redirect's target). */
    private <T> Downloaded<T> plain(String from, StreamedResponse answer, long maxBytes, Sink<T> sink)
            throws FederationClientException, IOException {
        if (answer.status() != 200) {
            throw httpError(from, answer.status(), answer.readAtMost(MAX_ERROR_BYTES));
        }
        if (answer.contentLength() > maxBytes) {
            throw new ContentTooLargeException(maxBytes);
        }
        String type = answer.header("content-type");
        String name = ContentDisposition.fileName(answer.header("content-disposition")).orElse(null);
        return new Downloaded<>(type == null || type.isBlank() ? OCTET_STREAM : type, name, sink.write(answer.body()));
    }

    /** One redirect of the deprecated endpoint: a path on the origin is asked of it, signed; a URL, plainly. */
    private StreamedResponse follow(String destination, String location) throws FederationClientException {
        if (location.startsWith("/") && !location.startsWith("//")) {
            return client.open(destination, location);
        }
        return client.openUrl(uri(location));
    }

    private static URI uri(String location) throws FederationClientException {
        try {
            return new URI(location);
        } catch (URISyntaxException e) {
            throw FederationClientException.badResponse("media redirect to a malformed URL");
        }
    }

    /**
     * Whether an error answer means the endpoint is unknown to the server (Synapse's
     * {@code is_unknown_endpoint}): 404 or 405 with {@code M_UNRECOGNIZED} or with a body that is no
     * JSON object (older Dendrite and Conduit), or the 400 {@code M_UNRECOGNIZED} of older Synapse.
     */
    static boolean isUnknownEndpoint(int status, byte[] body) {
        String errcode = errcode(body);
        if (status == 404 || status == 405) {
            return body.length == 0 || body[0] != '{' || "M_UNRECOGNIZED".equals(errcode);
        }
        return status == 400 && "M_UNRECOGNIZED".equals(errcode);
    }

    private static FederationClientException httpError(String from, int status, byte[] body) {
        String errcode = errcode(body);
        return new FederationClientException(FederationClientException.Kind.HTTP_ERROR, status, errcode,
                "media download from " + from + ": HTTP " + status + (errcode == null ? "" : " " + errcode), null);
    }

    private static String errcode(byte[] body) {
        try {
            JsonNode json = MatrixJson.parse(body, MatrixJson.Numbers.LENIENT);
            return json.path("errcode").isTextual() ? json.path("errcode").textValue() : null;
        } catch (RuntimeException e) { // CanonicalJsonException: not JSON
            return null;
        }
    }

    private static boolean isJsonObject(byte[] json) {
        try {
            return MatrixJson.parse(json, MatrixJson.Numbers.LENIENT).isObject();
        } catch (RuntimeException e) { // CanonicalJsonException: not JSON
            return false;
        }
    }
}
