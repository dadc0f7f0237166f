package org.myelin.federation.auth;

import java.util.Locale;
import java.util.Objects;

/**
 * The {@code Authorization: X-Matrix …} header of a server-server request (server-server API,
 * "Request Authentication"): who sends ({@code origin}), to whom ({@code destination}, absent
 * from servers older than v1.3), with which key, and the signature.
 *
 * <p>{@link #parse} follows RFC 9110's auth-param grammar as the spec asks: names are
 * case-insensitive, in any order; values are tokens or quoted strings with backslash escapes; white
 * space around commas is allowed; unknown parameters are ignored; and, for older servers, an
 * unquoted value may contain colons. {@link #toString} writes the form the spec recommends for
 * compatibility: one space after the scheme, lower-case names, quoted values, no white space.
 *
 * @param destination null when the header has none
 */
public record XMatrixAuthorization(String origin, String destination, String key, String signature) {

    public static final String SCHEME = "X-Matrix";

    /** The header does not follow the X-Matrix grammar. */
    public static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    public XMatrixAuthorization {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(signature, "signature");
    }

    /** Parses a header value such as {@code X-Matrix origin="a.org",destination="b.org",key="ed25519:1",sig="…"}. */
    public static XMatrixAuthorization parse(String header) throws MalformedException {
        if (header == null) {
            throw new MalformedException("no Authorization header");
        }
        String h = header.strip();
        if (h.length() <= SCHEME.length() || !h.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                || (h.charAt(SCHEME.length()) != ' ' && h.charAt(SCHEME.length()) != '\t')) {
            throw new MalformedException("not an X-Matrix authorization");
        }
        String origin = null;
        String destination = null;
        String key = null;
        String sig = null;
        int i = SCHEME.length();
        int n = h.length();
        while (i < n) {
            i = skip(h, i, " \t,");
            if (i >= n) {
                break;
            }
            int eq = h.indexOf('=', i);
            if (eq < 0) {
                throw new MalformedException("parameter without '=' at " + i);
            }
            String name = h.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                throw new MalformedException("parameter without a name at " + i);
            }
            i = skip(h, eq + 1, " \t");
            StringBuilder value = new StringBuilder();
            if (i < n && h.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = h.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(h.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw new MalformedException("unterminated quoted value of " + name);
                }
                i = skip(h, i, " \t");
                if (i < n && h.charAt(i) != ',') {
                    throw new MalformedException("expected ',' after the value of " + name);
                }
            } else {
                int end = h.indexOf(',', i);
                end = end < 0 ? n : end;
                value.append(h, i, end);
                i = end;
                if (value.toString().strip().chars().anyMatch(c -> c == ' ' || c == '\t' || c == '"')) {
                    throw new MalformedException("unquoted value of " + name + " holds white space or quotes");
                }
            }
            String v = value.toString().strip();
            switch (name) {
                case "origin" -> origin = v;
                case "destination" -> destination = v;
                case "key" -> key = v;
                case "sig" -> sig = v;
                default -> { } // unknown parameters are ignored
            }
        }
        if (origin == null || origin.isEmpty()) {
            throw new MalformedException("origin is missing");
        }
        if (key == null || key.isEmpty()) {
            throw new MalformedException("key is missing");
        }
        if (sig == null || sig.isEmpty()) {
            throw new MalformedException("sig is missing");
        }
        return new XMatrixAuthorization(origin, destination, key, sig);
    }

    private static int skip(String s, int i, String chars) {
        while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }

    /** The header value. */
    @Override
    public String toString() {
        StringBuilder h = new StringBuilder(SCHEME).append(' ');
        h.append("origin=").append(quote(origin));
        if (destination != null) {
            h.append(",destination=").append(quote(destination));
        }
        h.append(",key=").append(quote(key)).append(",sig=").append(quote(signature));
        return h.toString();
    }

    private static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
