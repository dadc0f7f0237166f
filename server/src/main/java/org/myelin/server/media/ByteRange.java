package org.myelin.server.media;

/**
 * What a download's {@code Range} header asks for (RFC 9110, 14.2), so that players can seek in
 * audio and video: one range of bytes, served as 206 with its {@code Content-Range}. What this
 * server does not serve in parts (several ranges, another unit, a malformed header, an
 * {@code If-Range}, whose validators it never sends) is answered whole, as the RFC allows; a
 * range that starts past the end is 416.
 */
sealed interface ByteRange {

    /** The whole content: no range, or one this server serves whole. */
    record Whole() implements ByteRange {}

    /** Bytes {@code first} to {@code last}, both included, of content {@code size} long. */
    record Part(long first, long last, long size) implements ByteRange {
        long length() {
            return last - first + 1;
        }

        String contentRange() {
            return "bytes " + first + "-" + last + "/" + size;
        }
    }

    /** No byte of the content is in the range: 416 with {@code Content-Range: bytes *}{@code /size}. */
    record Unsatisfiable(long size) implements ByteRange {
        String contentRange() {
            return "bytes */" + size;
        }
    }

    /** The range {@code header} asks of content {@code size} bytes long ({@code header} null: none). */
    static ByteRange of(String header, String ifRange, long size) {
        if (header == null || ifRange != null) {
            return new Whole();
        }
        String spec = header.trim();
        if (!spec.regionMatches(true, 0, "bytes=", 0, 6) || spec.indexOf(',') >= 0) {
            return new Whole();
        }
        String range = spec.substring(6).trim();
        int dash = range.indexOf('-');
        if (dash < 0) {
            return new Whole();
        }
        Long first = number(range.substring(0, dash).trim());
        Long last = number(range.substring(dash + 1).trim());
        if ((first == null && last == null) || INVALID.equals(first) || INVALID.equals(last)) {
            return new Whole();
        }
        if (first == null) { // a suffix: the last N bytes
            if (last == 0 || size == 0) {
                return new Unsatisfiable(size);
            }
            return new Part(Math.max(0, size - last), size - 1, size);
        }
        if (last != null && last < first) {
            return new Whole(); // invalid: ignored
        }
        if (first >= size) {
            return new Unsatisfiable(size);
        }
        return new Part(first, last == null ? size - 1 : Math.min(last, size - 1), size);
    }

    /** What {@link #number} gives for text that is not a number: the header is then ignored. */
    Long INVALID = -1L;

    /** A non-negative decimal; null when empty, {@link #INVALID} when it is not a number. */
    private static Long number(String text) {
        if (text.isEmpty()) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return INVALID;
            }
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return INVALID; // more digits than a long: no file is that large
        }
    }
}
