package org.myelin.federation.media;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * The file name a {@code Content-Disposition} header gives (RFC 6266), as Synapse reads it of
 * remote media: {@code filename*=utf-8''…} (RFC 5987, percent-encoded UTF-8) first, else a
 * {@code filename} token or quoted string that is ASCII; nothing for anything else.
 */
public final class ContentDisposition {

    private ContentDisposition() {}

    /** The file name {@code header} gives; empty if none it can read. */
    public static Optional<String> fileName(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String plain = null;
        String extended = null;
        Parser p = new Parser(header);
        p.skipToken(); // the disposition type
        while (p.skipTo(';')) {
            String name = p.token().toLowerCase(Locale.ROOT);
            if (!p.expect('=')) {
                continue;
            }
            String value = p.value();
            if (name.equals("filename*") && extended == null) {
                extended = value;
            } else if (name.equals("filename") && plain == null) {
                plain = value;
            }
        }
        if (extended != null) {
            Optional<String> decoded = decodeExtended(extended);
            if (decoded.isPresent()) {
                return decoded;
            }
        }
        if (plain != null && !plain.isEmpty() && StandardCharsets.US_ASCII.newEncoder().canEncode(plain)) {
            return Optional.of(plain);
        }
        return Optional.empty();
    }

    /** RFC 5987's {@code charset'language'value-chars}, UTF-8 only. */
    private static Optional<String> decodeExtended(String value) {
        int first = value.indexOf('\'');
        int second = first < 0 ? -1 : value.indexOf('\'', first + 1);
        if (second < 0 || !value.substring(0, first).equalsIgnoreCase("utf-8")) {
            return Optional.empty();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String encoded = value.substring(second + 1);
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                if (i + 2 >= encoded.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(encoded.charAt(i + 1), 16);
                int lo = Character.digit(encoded.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c < 128) {
                bytes.write(c);
            } else {
                return Optional.empty();
            }
        }
        try {
            String name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
            return name.isEmpty() ? Optional.empty() : Optional.of(name);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** A cursor over the header's parameters. */
    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        private void spaces() {
            while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
                at++;
            }
        }

        void skipToken() {
            token();
        }

        /** Moves past the next {@code c}; false at the end. */
        boolean skipTo(char c) {
            int next = text.indexOf(c, at);
            if (next < 0) {
                return false;
            }
            at = next + 1;
            return true;
        }

        String token() {
            spaces();
            int start = at;
            while (at < text.length() && text.charAt(at) != ';' && text.charAt(at) != '='
                    && text.charAt(at) != ' ' && text.charAt(at) != '\t') {
                at++;
            }
            return text.substring(start, at);
        }

        boolean expect(char c) {
            spaces();
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        /** A token, or a quoted string with its backslash escapes undone. */
        String value() {
            spaces();
            if (at < text.length() && text.charAt(at) == '"') {
                StringBuilder out = new StringBuilder();
                at++;
                while (at < text.length() && text.charAt(at) != '"') {
                    char c = text.charAt(at++);
                    if (c == '\\' && at < text.length()) {
                        c = text.charAt(at++);
                    }
                    out.append(c);
                }
                at++; // the closing quote
                return out.toString();
            }
            int start = at;
            while (at < text.length() && text.charAt(at) != ';') {
                at++;
            }
            return text.substring(start, at).trim();
        }
    }
}
