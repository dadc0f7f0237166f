package org.myelin.federation.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a {@code multipart/mixed} body (RFC 2046, 5.1) part by part as it arrives, each part's
 * body a stream that ends at the next delimiter: how the federation media endpoints answer
 * (server-server API, "Content Repository"), a JSON part and then the media, which may be too
 * large for memory. Only what the current part needs is buffered ({@link #BUFFER_BYTES}).
 *
 * <p>A body that ends before its closing delimiter fails the read of its last part: a truncated
 * answer must not be taken for a whole file.
 */
public final class MultipartReader {

    static final int BUFFER_BYTES = 64 * 1024;
    /** The most header bytes a part may have. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** RFC 2046: a boundary is 1 to 70 characters. */
    private static final int MAX_BOUNDARY = 70;

    /** A part: its headers (names lower-case) and its body, to be read before the next part is asked for. */
    public record Part(Map<String, String> headers, InputStream body) {
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    private enum State { PREAMBLE, IN_PART, AFTER_DELIMITER, DONE }

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int pos;
    private int limit;
    private boolean eof;
    private State state = State.PREAMBLE;
    private PartBody current;

    /**
     * @param boundary the {@code boundary} parameter of the body's {@code Content-Type}
     * @throws IllegalArgumentException if {@code boundary} is not one RFC 2046 allows
     */
    public MultipartReader(InputStream in, String boundary) {
        if (boundary == null || boundary.isEmpty() || boundary.length() > MAX_BOUNDARY
                || !StandardCharsets.US_ASCII.newEncoder().canEncode(boundary)) {
            throw new IllegalArgumentException("not a multipart boundary: " + boundary);
        }
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        // The first delimiter may open the body without the CRLF before it: one is put in front.
        buffer[0] = '\r';
        buffer[1] = '\n';
        limit = 2;
    }

    /**
     * The {@code boundary} parameter of a {@code multipart/*} {@code Content-Type}; empty if the
     * type is another or names none.
     */
    public static Optional<String> boundaryOf(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().toLowerCase(Locale.ROOT).startsWith("multipart/")) {
            return Optional.empty();
        }
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim();
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("boundary")) {
                String value = param.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.isEmpty() ? Optional.empty() : Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /**
     * The next part, what is left of the current one skipped; empty after the closing delimiter.
     *
     * @throws IOException if the body breaks off or is not multipart
     */
    public Optional<Part> next() throws IOException {
        if (state == State.PREAMBLE) {
            skipToDelimiter();
        } else if (state == State.IN_PART) {
            current.skip();
        }
        if (state == State.DONE) {
            return Optional.empty();
        }
        String rest = readLine(true);
        if (rest.startsWith("--")) {
            state = State.DONE;
            return Optional.empty();
        }
        if (!rest.isBlank()) {
            throw new IOException("malformed multipart delimiter line");
        }
        Map<String, String> headers = readHeaders();
        state = State.IN_PART;
        current = new PartBody();
        return Optional.of(new Part(headers, current));
    }

    /** Skips the preamble, which senders leave empty: more than a buffer of it is refused. */
    private void skipToDelimiter() throws IOException {
        PartBody preamble = new PartBody();
        byte[] drop = new byte[8192];
        long skipped = 0;
        for (int n; (n = preamble.read(drop, 0, drop.length)) != -1; ) {
            skipped += n;
            if (skipped > BUFFER_BYTES) {
                throw new IOException("multipart preamble longer than " + BUFFER_BYTES + " bytes");
            }
        }
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new HashMap<>();
        int bytes = 0;
        while (true) {
            String line = readLine(false);
            bytes += line.length() + 2;
            if (bytes > MAX_HEADER_BYTES) {
                throw new IOException("multipart part headers longer than " + MAX_HEADER_BYTES + " bytes");
            }
            if (line.isEmpty()) {
                return headers;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed multipart part header");
            }
            headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).trim());
        }
    }

    /**
     * A line up to LF (a CR before it dropped), decoded as UTF-8; at the end of the input, what is
     * left if {@code mayEnd} (the closing delimiter need not be followed by CRLF).
     */
    private String readLine(boolean mayEnd) throws IOException {
        while (true) {
            for (int i = pos; i < limit; i++) {
                if (buffer[i] == '\n') {
                    int end = i > pos && buffer[i - 1] == '\r' ? i - 1 : i;
                    String line = new String(buffer, pos, end - pos, StandardCharsets.UTF_8);
                    pos = i + 1;
                    return line;
                }
            }
            if (limit - pos >= MAX_HEADER_BYTES) {
                throw new IOException("multipart header line longer than " + MAX_HEADER_BYTES + " bytes");
            }
            if (!fill()) {
                if (mayEnd && limit > pos) {
                    String line = new String(buffer, pos, limit - pos, StandardCharsets.UTF_8);
                    pos = limit;
                    return line;
                }
                throw new IOException("multipart body ends within a header");
            }
        }
    }

    /** Reads more bytes after those unread (moved to the front); false at the end of the input. */
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        if (pos > 0) {
            System.arraycopy(buffer, pos, buffer, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n < 0) {
            eof = true;
            return false;
        }
        limit += n;
        return true;
    }

    /** Where the delimiter starts in the unread bytes, or -1. */
    private int delimiterAt() {
        int last = limit - delimiter.length;
        outer:
        for (int i = pos; i <= last; i++) {
            for (int j = 0; j < delimiter.length; j++) {
                if (buffer[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The body of the current part: the bytes up to the next delimiter. */
    private final class PartBody extends InputStream {
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (!ended) {
                int at = delimiterAt();
                if (at == pos) {
                    pos += delimiter.length;
                    ended = true;
                    state = State.AFTER_DELIMITER;
                    break;
                }
                // Bytes that cannot be the start of a delimiter are the part's.
                int safe = at > 0 ? at : Math.max(pos, limit - delimiter.length + 1);
                if (safe > pos) {
                    int n = Math.min(length, safe - pos);
                    System.arraycopy(buffer, pos, into, offset, n);
                    pos += n;
                    return n;
                }
                if (!fill()) {
                    throw new IOException("multipart body ends before its closing delimiter");
                }
            }
            return -1;
        }

        void skip() throws IOException {
            byte[] drop = new byte[8192];
            while (read(drop, 0, drop.length) != -1) {
                // dropped
            }
        }
    }
}
