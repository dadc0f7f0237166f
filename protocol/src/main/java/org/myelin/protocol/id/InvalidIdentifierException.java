package org.myelin.protocol.id;

/**
 * A string that does not follow the grammar of the Matrix identifier it was parsed as
 * (spec: appendices, "Identifier Grammar"). Thrown by the {@code parse} factories of this
 * package; it is malformed input, so callers at the edges map it to {@code M_INVALID_PARAM}
 * or {@code M_BAD_JSON}, or reject the PDU.
 */
public final class InvalidIdentifierException extends IllegalArgumentException {

    private static final int SHOWN_INPUT_CHARS = 80;

    /** What was being parsed, for example "user ID". */
    private final String kind;
    /** Why it is invalid, without the input. */
    private final String reason;

    InvalidIdentifierException(String kind, String input, String reason) {
        super("Invalid " + kind + " " + quote(input) + ": " + reason);
        this.kind = kind;
        this.reason = reason;
    }

    /** What was being parsed, for example {@code "user ID"}. */
    public String kind() {
        return kind;
    }

    /** Why the input is invalid, for example {@code "port must be between 1 and 65535"}. */
    public String reason() {
        return reason;
    }

    /** Quotes untrusted input for a log line: shortened, control characters escaped. */
    private static String quote(String input) {
        if (input == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        int shown = Math.min(input.length(), SHOWN_INPUT_CHARS);
        for (int i = 0; i < shown; i++) {
            char c = input.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (shown < input.length()) {
            out.append("\u2026 (").append(input.length()).append(" chars)");
        }
        return out.append('"').toString();
    }
}
