package org.myelin.protocol.id;

/**
 * Character rules shared by the identifier grammars: the opaque localpart (spec: appendices,
 * "Historical User IDs", "Room IDs", "Room Aliases"), the 255-byte limit, and the
 * reference-hash form of event IDs and room version 12 room IDs.
 */
final class IdText {

    /** Every identifier that carries a sigil is at most this many bytes in UTF-8. */
    static final int MAX_ID_BYTES = 255;

    /** A SHA-256 reference hash in unpadded base64: ceil(32 * 8 / 6) characters. */
    static final int HASH_CHARS = 43;

    private IdText() {}

    /**
     * Returns why {@code localpart} is not an opaque localpart, or {@code null} if it is one:
     * any non-surrogate Unicode code points except {@code :} and NUL, control characters and
     * the empty string included.
     */
    static String opaqueLocalpartProblem(String localpart) {
        for (int i = 0; i < localpart.length(); i++) {
            char c = localpart.charAt(i);
            if (c == ':') {
                return "localpart must not contain ':'";
            }
            if (c == '\0') {
                return "localpart must not contain NUL (U+0000)";
            }
            if (Character.isHighSurrogate(c)
                    && i + 1 < localpart.length()
                    && Character.isLowSurrogate(localpart.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "localpart contains an unpaired surrogate at index " + i;
            }
        }
        return null;
    }

    /** Length in UTF-8 bytes of a string whose surrogates are paired. */
    static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4; // with its low surrogate, one supplementary code point
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Whether every character is in the standard base64 alphabet. */
    static boolean isStandardBase64(String text) {
        return allMatch(text, '+', '/');
    }

    /** Whether every character is in the URL-safe base64 alphabet. */
    static boolean isUrlSafeBase64(String text) {
        return allMatch(text, '-', '_');
    }

    static boolean isAsciiAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static boolean allMatch(String text, char value62, char value63) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isAsciiAlphanumeric(c) && c != value62 && c != value63) {
                return false;
            }
        }
        return true;
    }
}
