package org.myelin.protocol.push;

import org.myelin.protocol.glob.GlobPattern;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Glob matching for push rules ({@link GlobPattern} is the grammar and the matcher). Push rules
 * match case-insensitively, either the whole value or, for {@code content.body}, any substring
 * that starts and ends at a word boundary: the start or end of the value, or a character outside
 * {@code [A-Za-z0-9_]}.
 *
 * <p>Compiled patterns are kept, as the same few rules are evaluated for every event.
 */
final class Glob {

    private static final int CACHE_LIMIT = 10_000;
    private static final Map<String, GlobPattern> GLOBS = new ConcurrentHashMap<>();
    private static final Map<String, GlobPattern> LITERALS = new ConcurrentHashMap<>();

    private Glob() {
    }

    /** Whether {@code glob} matches all of {@code value}. */
    static boolean matchesWhole(String glob, String value) {
        if (isAsciiLiteral(glob) && isAscii(value)) {
            // Most rules match an event type or a msgtype exactly: no automaton needed. Only when
            // both sides are ASCII, where case folding is the ASCII one (Unicode folds, e.g. the
            // Kelvin sign to 'k', stay with the pattern).
            return glob.length() == value.length() && glob.regionMatches(true, 0, value, 0, value.length());
        }
        return cached(GLOBS, glob, GlobPattern::compile).matches(value);
    }

    /** Whether {@code glob} matches a substring of {@code value} between word boundaries. */
    static boolean matchesWords(String glob, String value) {
        if (isAsciiLiteral(glob) && isAscii(value)) {
            return containsAsciiWord(glob, value);
        }
        return cached(GLOBS, glob, GlobPattern::compile).matchesWords(value);
    }

    /** Whether {@code literal} (no wildcards) occurs in {@code value} between word boundaries. */
    static boolean containsWords(String literal, String value) {
        if (isAscii(literal) && isAscii(value) && literal.length() <= GlobPattern.MAX_LENGTH) {
            return containsAsciiWord(literal, value);
        }
        // Kept like the globs: a member's display name is looked for in every message they are told of.
        return cached(LITERALS, literal, GlobPattern::literal).matchesWords(value);
    }

    /**
     * Whether {@code word} occurs in {@code value}, ignoring ASCII case, with a boundary on each
     * side: what {@link GlobPattern#matchesWords} finds, for ASCII text, without the automaton.
     * Every message is searched for each member's user name and display name, so this runs per
     * message per member.
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
        return glob.length() <= GlobPattern.MAX_LENGTH;
    }

    private static boolean isAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static GlobPattern cached(Map<String, GlobPattern> cache, String glob, Function<String, GlobPattern> make) {
        GlobPattern p = cache.get(glob);
        if (p == null) {
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear(); // rules are few; this only bounds a pathological user
            }
            p = make.apply(glob);
            cache.put(glob, p);
        }
        return p;
    }
}
