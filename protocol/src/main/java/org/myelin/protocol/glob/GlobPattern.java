package org.myelin.protocol.glob;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A glob (appendices, "Glob-style matching"): {@code *} matches zero or more characters,
 * {@code ?} exactly one, everything else is literal. Push rules and server ACLs use them; both
 * match case-insensitively, one character against one (Unicode simple case folding, as
 * {@code Pattern.CASE_INSENSITIVE | UNICODE_CASE} does; "ß" is not "SS").
 *
 * <p>Matching runs the glob as a non-deterministic automaton with its states in a bit set, so a
 * value of n characters costs n steps of one word per 64 glob characters, whatever the glob.
 * A regular expression backtracks instead, and a room's ACL or a user's push rule chooses the
 * glob: {@code *a*a*a*b} took seconds against a 500-character body. The length of a glob is
 * bounded by {@link #MAX_LENGTH}; a longer one matches nothing.
 *
 * <pre>{@code
 * GlobPattern.compile("*.example.org").matches("matrix.Example.org")   // true
 * GlobPattern.compile("cake*lie").matchesWords("the cake is a lie!")   // true
 * }</pre>
 */
public final class GlobPattern {

    /**
     * The longest glob that can match, in characters once runs of {@code *} are one. A server
     * name has at most 255 characters, so an ACL glob of more cannot match one anyway; keyword
     * push rules and display names are a few words.
     */
    public static final int MAX_LENGTH = 1024;

    private static final int STAR = -1;
    private static final int ANY = -2;

    private final String source;
    /** Tokens: a folded code point, {@link #STAR} or {@link #ANY}; state k is "tokens before k matched". */
    private final int[] tokens;
    private final boolean tooLong;
    private final long[] stars;
    /** The states a character takes forward when it is unknown to the glob: those before a {@code ?}. */
    private final long[] any;
    /** Per folded code point of the glob, the states it takes forward ({@code ?} ones included). */
    private final Map<Integer, long[]> literals = new HashMap<>();
    private final long[][] ascii = new long[128][];
    private final long[] start;

    private GlobPattern(String source, int[] tokens) {
        this.source = source;
        this.tooLong = tokens.length > MAX_LENGTH;
        this.tokens = tooLong ? new int[0] : tokens;
        int words = (this.tokens.length + 1 + 63) / 64;
        stars = new long[words];
        any = new long[words];
        for (int k = 0; k < this.tokens.length; k++) {
            if (this.tokens[k] == STAR) {
                set(stars, k);
            } else if (this.tokens[k] == ANY) {
                set(any, k);
            }
        }
        for (int k = 0; k < this.tokens.length; k++) {
            if (this.tokens[k] >= 0) {
                set(literals.computeIfAbsent(this.tokens[k], c -> any.clone()), k);
            }
        }
        for (int c = 0; c < 128; c++) {
            ascii[c] = forwardOf(c);
        }
        start = new long[words];
        set(start, 0);
        closeOverStars(start);
    }

    /** {@code glob} ready to match; runs of {@code *} are one, as they match the same. */
    public static GlobPattern compile(String glob) {
        int[] tokens = glob.codePoints().map(c -> c == '*' ? STAR : c == '?' ? ANY : fold(c)).toArray();
        int kept = 0;
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] != STAR || kept == 0 || tokens[kept - 1] != STAR) {
                tokens[kept++] = tokens[i];
            }
        }
        return new GlobPattern(glob, Arrays.copyOf(tokens, kept));
    }

    /** {@code text} as a pattern that matches itself only (case-insensitively): a display name looked for in a body. */
    public static GlobPattern literal(String text) {
        return new GlobPattern(text, text.codePoints().map(GlobPattern::fold).toArray());
    }

    /** The glob as written. */
    public String source() {
        return source;
    }

    /** Whether the glob matches all of {@code value}. */
    public boolean matches(String value) {
        if (tooLong) {
            return false;
        }
        long[] states = start.clone();
        long[] next = new long[states.length];
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            i += Character.charCount(c);
            if (!step(states, c, next)) {
                return false;
            }
            long[] t = states;
            states = next;
            next = t;
        }
        return accepts(states);
    }

    /**
     * Whether the glob matches a part of {@code value} that starts and ends at a word boundary
     * (push rules on {@code content.body}): the start or end of the value, or a character outside
     * {@code [A-Za-z0-9_]}, which the match does not include.
     */
    public boolean matchesWords(String value) {
        if (tooLong) {
            return false;
        }
        long[] states = new long[start.length];
        long[] next = new long[start.length];
        int previous = -1; // the character before position i; none at the start
        for (int i = 0; ; ) {
            if (previous < 0 || !isWordChar(previous)) {
                or(states, start); // a match may start here
            }
            int c = i < value.length() ? value.codePointAt(i) : -1;
            if (accepts(states) && (c < 0 || !isWordChar(c))) {
                return true;
            }
            if (c < 0) {
                return false;
            }
            step(states, c, next);
            long[] t = states;
            states = next;
            next = t;
            previous = c;
            i += Character.charCount(c);
        }
    }

    /**
     * The states after reading {@code c} from {@code states}, into {@code next}: a literal or
     * {@code ?} takes its state forward, a {@code *} keeps its own. Whether any state is left.
     */
    private boolean step(long[] states, int c, long[] next) {
        long[] forward = forwardOf(c);
        long carry = 0;
        long alive = 0;
        for (int w = 0; w < states.length; w++) {
            long moved = states[w] & forward[w];
            next[w] = (moved << 1) | carry | (states[w] & stars[w]);
            carry = moved >>> 63;
            alive |= next[w];
        }
        closeOverStars(next);
        return alive != 0;
    }

    /** A state before a {@code *} is also the state after it: the star may match nothing. */
    private void closeOverStars(long[] states) {
        long carry = 0;
        for (int w = 0; w < states.length; w++) {
            long atStar = states[w] & stars[w];
            states[w] |= (atStar << 1) | carry; // after a star comes no star: runs were merged
            carry = atStar >>> 63;
        }
    }

    /**
     * The states {@code c} takes forward. A glob character p matches c when fold(p) is c or
     * fold(c), which is how {@code java.util.regex} compares case-insensitively.
     */
    private long[] forwardOf(int c) {
        if (c < 128 && ascii[c] != null) {
            return ascii[c];
        }
        int folded = fold(c);
        long[] same = literals.get(folded);
        long[] raw = folded == c ? null : literals.get(c);
        if (raw == null) {
            return same == null ? any : same;
        }
        if (same == null) {
            return raw;
        }
        long[] both = same.clone();
        or(both, raw);
        return both;
    }

    private boolean accepts(long[] states) {
        int k = tokens.length;
        return (states[k >>> 6] & (1L << (k & 63))) != 0;
    }

    /**
     * Whether {@code c} is a word character for push rules: in {@code [A-Za-z0-9_]}, or folding
     * into it (the Kelvin sign is a {@code k}), as the case-insensitive class reads it.
     */
    static boolean isWordChar(int c) {
        if (isAsciiWordChar(c)) {
            return true;
        }
        int upper = Character.toUpperCase(c);
        return isAsciiWordChar(upper) || isAsciiWordChar(Character.toLowerCase(upper));
    }

    private static boolean isAsciiWordChar(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static int fold(int c) {
        return Character.toLowerCase(Character.toUpperCase(c));
    }

    private static void set(long[] bits, int k) {
        bits[k >>> 6] |= 1L << (k & 63);
    }

    private static void or(long[] into, long[] from) {
        for (int w = 0; w < into.length; w++) {
            into[w] |= from[w];
        }
    }

    @Override
    public String toString() {
        return source;
    }
}
