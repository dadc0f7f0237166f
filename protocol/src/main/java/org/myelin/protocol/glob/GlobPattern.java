package org.myelin.protocol.glob;

import java.util.regex.Pattern;

/**
 * Glob-style matching (appendices, "Glob-style matching"): {@code *} matches zero or more
 * characters, {@code ?} exactly one, everything else is literal. Used by push rules and by
 * server ACLs; both match case-insensitively.
 */
public final class GlobPattern {

    /** The flags every Matrix glob matches with. */
    public static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL;

    private GlobPattern() {
    }

    /** The regular expression (without anchors or flags) equivalent to {@code glob}. */
    public static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return regex.toString();
    }

    /** {@code glob} as a case-insensitive pattern; match it against a whole value. */
    public static Pattern compile(String glob) {
        return Pattern.compile(toRegex(glob), FLAGS);
    }
}
