package org.myelin.protocol.push;

import org.myelin.protocol.glob.GlobPattern;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Glob matching for push rules ({@link GlobPattern} is the grammar). Push rules match
 * case-insensitively, either the whole value or, for {@code content.body}, any substring that
 * starts and ends at a word boundary: the start or end of the value, or a character outside
 * {@code [A-Za-z0-9_]}.
 *
 * <p>Compiled patterns are kept, as the same few rules are evaluated for every event.
 */
final class Glob {

    private static final int FLAGS = GlobPattern.FLAGS;
    private static final String BOUNDARY_START = "(?:^|[^A-Za-z0-9_])";
    private static final String BOUNDARY_END = "(?:[^A-Za-z0-9_]|$)";
    private static final int CACHE_LIMIT = 10_000;
    private static final Map<String, Pattern> WHOLE = new ConcurrentHashMap<>();
    private static final Map<String, Pattern> WORDS = new ConcurrentHashMap<>();
    private static final Map<String, Pattern> LITERAL_WORDS = new ConcurrentHashMap<>();

    private Glob() {
    }

    /** Whether {@code glob} matches all of {@code value}. */
    static boolean matchesWhole(String glob, String value) {
        if (isAsciiLiteral(glob) && isAscii(value)) {
            // Most rules match an event type or a msgtype exactly: no regex needed. Only when both
            // sides are ASCII, where case folding is the ASCII one (Unicode folds, e.g. the Kelvin
            // sign to 'k', stay with the regex).
            return glob.length() == value.length() && glob.regionMatches(true, 0, value, 0, value.length());
        }
        return cached(WHOLE, glob, () -> Pattern.compile(toRegex(glob), FLAGS)).matcher(value).matches();
    }

    /** Whether {@code glob} matches a substring of {@code value} between word boundaries. */
    static boolean matchesWords(String glob, String value) {
        if (isAsciiLiteral(glob) && isAscii(value)) {
            return containsAsciiWord(glob, value);
        }
        return cached(WORDS, glob, () -> Pattern.compile(BOUNDARY_START + toRegex(glob) + BOUNDARY_END, FLAGS))
                .matcher(value).find();
    }

    /** Whether {@code literal} (no wildcards) occurs in {@code value} between word boundaries. */
    static boolean containsWords(String literal, String value) {
        if (isAscii(literal) && isAscii(value)) {
            return containsAsciiWord(literal, value);
        }
        // Kept like the globs: a member's display name is looked for in every message they are told of.
        return cached(LITERAL_WORDS, literal,
                () -> Pattern.compile(BOUNDARY_START + Pattern.quote(literal) + BOUNDARY_END, FLAGS))
                .matcher(value).find();
    }

    /**
     * Whether {@code word} occurs in {@code value}, ignoring ASCII case, with a boundary on each
     * side: what the boundary regex finds, for ASCII text, without a regex. Every message is
     * searched for each member's user name and display name, so this runs per message per member.
     */
    private static boolean containsAsciiWord(String word, String value) {
        int n = word.length();
        for (int at = 0; at + n <= value.length(); at++) {
            if (value.regionMatches(true, at, word, 0, n)
                    && (at == 0 || !isWordChar(value.charAt(at - 1)))
                    && (at + n == value.length() || !isWordChar(value.charAt(at + n)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWordChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static boolean isAsciiLiteral(String glob) {
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?' || c >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static Pattern cached(Map<String, Pattern> cache, String glob, java.util.function.Supplier<Pattern> make) {
        Pattern p = cache.get(glob);
        if (p == null) {
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear(); // rules are few; this only bounds a pathological user
            }
            p = make.get();
            cache.put(glob, p);
        }
        return p;
    }

    static String toRegex(String glob) {
        return GlobPattern.toRegex(glob);
    }
}
