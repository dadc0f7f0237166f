package org.myelin.server.media;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The headers media is served with (client-server API, "Content repository": "Serving inline
 * content"; Synapse's {@code add_file_headers} and its media response headers): a sandboxing
 * {@code Content-Security-Policy} and {@code nosniff}, so that a browser opening the URL runs
 * nothing in it; {@code Content-Disposition: inline} only for types that cannot script
 * ({@link #INLINE_CONTENT_TYPES}), {@code attachment} for all others, with the file name;
 * caching for a day, as content under a media id never changes.
 */
final class MediaHeaders {

    /** The spec's list of types safe to serve inline (Synapse's INLINE_CONTENT_TYPES; SVG is not one). */
    static final Set<String> INLINE_CONTENT_TYPES = Set.of(
            "text/css", "text/plain", "text/csv", "application/json", "application/ld+json",
            "image/jpeg", "image/gif", "image/png", "image/apng", "image/webp", "image/avif",
            "video/mp4", "video/webm", "video/ogg", "video/quicktime",
            "audio/mp4", "audio/webm", "audio/aac", "audio/mpeg", "audio/ogg", "audio/wave", "audio/wav",
            "audio/x-wav", "audio/x-pn-wav", "audio/flac", "audio/x-flac");

    /** Text types served with {@code charset=UTF-8} when uploaded without a charset (as Synapse). */
    static final Set<String> TEXT_CONTENT_TYPES = Set.of(
            "text/css", "text/csv", "text/html", "text/calendar", "text/plain", "text/javascript",
            "application/json", "application/ld+json", "application/rtf", "image/svg+xml", "text/xml");

    static final String CONTENT_SECURITY_POLICY = "sandbox; default-src 'none'; script-src 'none';"
            + " plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';";

    /** The type of content uploaded without one, or with one the server cannot vouch for. */
    static final String OCTET_STREAM = "application/octet-stream";

    /** RFC 2616's separators, which a file name sent as a plain token may not hold. */
    private static final String SEPARATORS = "()<>@,;:\\\"/[]?={}";

    private MediaHeaders() {}

    /**
     * The headers of a download of content uploaded as {@code contentType} (null: unknown),
     * named {@code fileName} (null: no name) in the response.
     */
    static Map<String, String> of(String contentType, String fileName) {
        String type = contentType == null || contentType.isBlank() ? OCTET_STREAM : contentType;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", TEXT_CONTENT_TYPES.contains(type.toLowerCase(Locale.ROOT))
                ? type + "; charset=UTF-8" : type);
        headers.put("Content-Disposition", disposition(type, fileName));
        headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.put("X-Content-Security-Policy", "sandbox;");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("Cross-Origin-Resource-Policy", "cross-origin");
        headers.put("Cache-Control", "public,max-age=86400,s-maxage=86400");
        headers.put("X-Robots-Tag", "noindex, nofollow, noarchive, noimageindex");
        headers.put("Accept-Ranges", "bytes");
        return headers;
    }

    /**
     * {@code inline} or {@code attachment} by the type's essence (parameters aside), and the name
     * as a plain token where it is one, else RFC 5987's {@code filename*=utf-8''…} (Synapse sends
     * no quoted {@code filename}, which older Synapse misread).
     */
    static String disposition(String contentType, String fileName) {
        String essence = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        String disposition = INLINE_CONTENT_TYPES.contains(essence) ? "inline" : "attachment";
        if (fileName == null || fileName.isEmpty()) {
            return disposition;
        }
        return isToken(fileName) ? disposition + "; filename=" + fileName
                : disposition + "; filename*=utf-8''" + rfc5987(fileName);
    }

    private static boolean isToken(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 32 || c >= 127 || SEPARATORS.indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** RFC 5987's value-chars: attr-chars as they are, every other UTF-8 byte as %XX. */
    static String rfc5987(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$&+-.^_`|~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
