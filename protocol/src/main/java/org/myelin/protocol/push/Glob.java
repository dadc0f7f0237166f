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
        return cached(WORDS, glob, () -> Pattern.compile(BOUNDARY_START + toRegex(glob) + BOUNDARY_END, FLAGS))
                .matcher(value).find();
    }

    /** Whether {@code literal} (no wildcards) occurs in {@code value} between word boundaries. */
    static boolean containsWords(String literal, String value) {
        // Kept like the globs: a member's display name is looked for in every message they are told of.
        return cached(LITERAL_WORDS, literal,
                () -> Pattern.compile(BOUNDARY_START + Pattern.quote(literal) + BOUNDARY_END, FLAGS))
                .matcher(value).find();
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
