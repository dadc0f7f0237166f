package org.myelin.protocol.glob;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Glob-style matching (appendices): whole values, words of a body, and the length bound. */
class GlobPatternTest {

    /** How globs matched when they were regular expressions, kept as the oracle for short inputs. */
    private static final int REGEX_FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL;

    private static String regexOf(String glob) {
        StringBuilder regex = new StringBuilder();
        glob.codePoints().forEach(c -> regex.append(
                c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(new String(Character.toChars(c)))));
        return regex.toString();
    }

    @ParameterizedTest(name = "{0} matches all of ''{1}'': {2}")
    @CsvSource(delimiter = '|', value = {
            "*|''|true", "*|anything|true", "''|''|true", "''|x|false", "?|''|false", "?|x|true", "?|xy|false",
            "m.room.*|m.room.member|true", "m.room.*|m.room.|true", "m.room.?|m.room.|false",
            "*.example.org|matrix.EXAMPLE.org|true", "*.example.org|example.org|false",
            "a*b*c|abc|true", "a*b*c|aXbYc|true", "a*b*c|acb|false", "a**b|ab|true", "*a|ba|true", "*a|ab|false",
            "a?c|abc|true", "a?c|ac|false", "a.c|abc|false", "a+b(c)[d]|A+B(C)[D]|true", "\\d|\\d|true", "\\d|1|false",
            "*a*a*a*b|aaab|true", "*a*a*a*b|aab|false", "??*|ab|true", "??*|a|false",
            "\u212A|k|true", "k|\u212A|true", "stra\u00DFe|STRASSE|false", "\u00E9t\u00E9|\u00C9T\u00C9|true",
            "?|\uD835\uDD38|true", "??|\uD835\uDD38|false", "\uD835\uDD38*|\uD835\uDD38x|true",
    })
    void globsMatchWholeValues(String glob, String value, boolean expected) {
        assertEquals(expected, GlobPattern.compile(glob).matches(value));
    }

    @ParameterizedTest(name = "{0} in ''{1}'': {2}")
    @CsvSource(delimiter = '|', value = {
            "cake|I like cake|true", "cake|cakes are nice|false", "cake|pancake|false", "cake|cake-walk|true",
            "cake*lie|the cake is a lie!|true", "cake*lie|the cake is a lies|false", "c?ke|a coke.|true",
            "*|''|true", "*|x|true", "''|''|true", "''|x|false", "''|x y|false", "''|x  y|true", "''|x.|true",
            "@room|hello @room|true", "@room|x@room|false", "alice|ALICE: hi|true", "alice|alice_bob|false",
            "*a*a*a*b|x aaab y|true", "*a*a*a*b|aaabc|false", "b|a b c|true", "a b|xa b|false",
            "caf\u00E9|CAF\u00C9 time|true", "e|\u00E9 e|true", "e|\u00E9e|true", "k|\u212Ak|false",
    })
    void globsMatchBetweenWordBoundaries(String glob, String value, boolean expected) {
        assertEquals(expected, GlobPattern.compile(glob).matchesWords(value));
    }

    @Test
    void literalsMatchTheirWildcardsAsCharacters() {
        assertTrue(GlobPattern.literal("a*b?").matchesWords("say A*B? now"));
        assertFalse(GlobPattern.literal("a*b").matchesWords("say axxb now"));
        assertFalse(GlobPattern.literal("a?").matches("ab"));
    }

    /** Random globs and values over an alphabet of wildcards, boundaries and case-folding traps. */
    @Test
    void agreesWithTheRegularExpressionsItReplaces() {
        String[] glyphs = {"a", "A", "b", "*", "?", ".", " ", "_", "1", "\u00E9", "\u00C9", "k", "\u212A", "\u00DF",
                "i", "I", "\u0131", "\u0130", "\u017F", "s", "\uD835\uDD38", "\uD801\uDC00", "\uD801\uDC28"};
        Random random = new Random(20261201);
        for (int round = 0; round < 5_000; round++) {
            String glob = randomText(random, glyphs, 6);
            String value = randomText(random, glyphs, 10).replace("*", "").replace("?", "");
            GlobPattern pattern = GlobPattern.compile(glob);
            String regex = regexOf(glob);
            assertEquals(Pattern.compile(regex, REGEX_FLAGS).matcher(value).matches(), pattern.matches(value),
                    () -> "whole: " + glob + " / " + value);
            assertEquals(Pattern.compile("(?:^|[^A-Za-z0-9_])" + regex + "(?:[^A-Za-z0-9_]|$)", REGEX_FLAGS)
                    .matcher(value).find(), pattern.matchesWords(value), () -> "words: " + glob + " / " + value);
        }
    }

    /** Globs longer than one word of states: moves carry from one word to the next. */
    @Test
    void longGlobsCarryAcrossWordsOfStates() {
        String glob = "a".repeat(70) + "*" + "b?".repeat(40) + "*c";
        String value = "A".repeat(70) + "xyz" + "bz".repeat(40) + "c";
        assertTrue(GlobPattern.compile(glob).matches(value));
        assertFalse(GlobPattern.compile(glob).matches(value.substring(1)));
        assertTrue(GlobPattern.compile(glob).matchesWords("(" + value + ")"));
        assertFalse(GlobPattern.compile(glob).matchesWords("x" + value));
    }

    @Test
    void globsBeyondTheBoundMatchNothing() {
        String longest = "x".repeat(GlobPattern.MAX_LENGTH);
        assertTrue(GlobPattern.compile(longest).matches(longest));
        assertFalse(GlobPattern.compile(longest + "x").matches(longest + "x"));
        assertFalse(GlobPattern.compile(longest + "*").matchesWords(longest + "x"));
        assertTrue(GlobPattern.compile("*".repeat(10_000) + "x").matches("abx"), "a run of stars is one star");
    }

    /** A hang guard, not a timing: a backtracking matcher takes minutes here. */
    @Test
    void manyStarsAgainstLongValuesFinish() {
        String value = "a".repeat(5_000);
        GlobPattern glob = GlobPattern.compile("*a*a*a*a*a*a*a*a*b");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertFalse(glob.matches(value));
            assertFalse(glob.matchesWords(value + " " + value));
            assertTrue(glob.matchesWords(value + "b"));
            assertFalse(GlobPattern.compile("*a?".repeat(300) + "b").matchesWords(value));
        });
    }

    private static String randomText(Random random, String[] glyphs, int maxLength) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            text.append(glyphs[random.nextInt(glyphs.length)]);
        }
        return text.toString();
    }
}
