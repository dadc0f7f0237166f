package org.myelin.protocol.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Glob-style matching and dot-separated property paths (appendices). */
class GlobAndPathTest {

    /** How globs matched when they were regular expressions: the fast paths must agree with it. */
    private static final int REGEX_FLAGS = java.util.regex.Pattern.CASE_INSENSITIVE
            | java.util.regex.Pattern.UNICODE_CASE | java.util.regex.Pattern.DOTALL;

    @ParameterizedTest(name = "{0} whole-matches ''{1}'': {2}")
    @CsvSource(delimiter = '|', value = {
            "m.room.message|m.room.message|true",
            "m.room.message|m.room.messages|false",
            "m.room.*|m.room.member|true",
            "m.room.*|m.room.|true",
            "m.room.?|m.room.|false",
            "m?room|m.room|true",
            "M.ROOM.MESSAGE|m.room.message|true",
            "a+b(c)|a+b(c)|true",
            "a.c|abc|false",
            "''|''|true",
            "''|x|false",
    })
    void wholeValueGlobs(String glob, String value, boolean expected) {
        assertEquals(expected, Glob.matchesWhole(glob, value));
    }

    @ParameterizedTest(name = "literal {0} against ''{1}'' agrees with the regex")
    @CsvSource(delimiter = '|', value = {
            "m.room.message|m.room.message",
            "m.room.message|M.Room.Message",
            "m.room.message|m.room.messagE ",
            "k|\u212A",
            "kelvin|\u212Aelvin",
            "stra\u00DFe|STRASSE",
            "\u00E9t\u00E9|\u00C9T\u00C9",
            "abc|ab",
            "''|''",
    })
    void literalFastPathAgreesWithTheRegex(String glob, String value) {
        boolean regex = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(glob), REGEX_FLAGS)
                .matcher(value).matches();
        assertEquals(regex, Glob.matchesWhole(glob, value));
    }

    @ParameterizedTest(name = "word {0} in ''{1}'' agrees with the regex")
    @CsvSource(delimiter = '|', value = {
            "cake|I like cake", "cake|cakes are nice", "cake|pancake", "cake|cake-walk", "CAKE|a Cake.",
            "load37|hi load37!", "load37|load371", "load37|xload37", "load37|load37", "a b|say a b now",
            "alice|alice_bob", "alice|bob,alice", "''|x", "''|''", "x|''", "@room|hello @room", "@room|x@room",
            "k|\u212A", "caf\u00E9|CAF\u00C9 time", "cafe|caf\u00E9", "e|\u00E9 e",
    })
    void literalWordSearchAgreesWithTheRegex(String word, String value) {
        boolean regex = java.util.regex.Pattern.compile("(?:^|[^A-Za-z0-9_])" + java.util.regex.Pattern.quote(word)
                + "(?:[^A-Za-z0-9_]|$)", REGEX_FLAGS).matcher(value).find();
        assertEquals(regex, Glob.matchesWords(word, value), "glob");
        assertEquals(regex, Glob.containsWords(word, value), "display name");
    }

    @Test
    void displayNamesAreFoundBetweenWordBoundariesEachTime() {
        assertEquals(true, Glob.containsWords("Alice", "hi alice!"));
        assertEquals(true, Glob.containsWords("Alice", "ALICE: again")); // the kept pattern, reused
        assertEquals(false, Glob.containsWords("Alice", "malice"));
        assertEquals(false, Glob.containsWords("Bob", "hi alice!"));
        assertEquals(true, Glob.containsWords("a.b", "see a.b here"));
        assertEquals(false, Glob.containsWords("a.b", "see axb here"));
    }

    /** A hang guard, not a timing: a backtracking matcher takes minutes here, a linear one no time. */
    @Test
    void globsOfManyStarsFinishOnLongBodies() {
        String body = "a".repeat(500);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertFalse(Glob.matchesWords("*a*a*a*b", body));
            assertFalse(Glob.matchesWhole("*a*a*a*b", body));
            assertFalse(Glob.matchesWords("*a*a*a*a*a*a*a*a*b", body + " " + body));
            assertTrue(Glob.matchesWords("*a*a*a*b", body + "b"));
            assertTrue(Glob.matchesWhole("*a?a*a*", body));
        });
    }

    @Test
    void parsedPathsAreRememberedAndEqualToFreshOnes() {
        assertEquals(PropertyPath.parse("content.m\\.relates_to.rel_type"), PropertyPath.of("content.m\\.relates_to.rel_type"));
        assertEquals(true, PropertyPath.of("content.body") == PropertyPath.of("content.body"));
    }

    @ParameterizedTest(name = "{0} with {1} members: {2}")
    @CsvSource(delimiter = '|', value = {
            "2|2|true", "==2|2|true", "==2|3|false", "<3|2|true", "<3|3|false", ">3|4|true", ">=3|3|true",
            "<=3|4|false", "x|1|false", "''|0|false", "=2|2|false", "2.0|2|false", ">|1|false",
    })
    void memberCountsParseOnceAndCompare(String is, long members, boolean expected) {
        assertEquals(expected, MemberCount.holds(is, members));
        assertEquals(expected, MemberCount.holds(is, members)); // again, from the parsed form
    }

    @ParameterizedTest(name = "{0} in ''{1}'': {2}")
    @CsvSource(delimiter = '|', value = {
            "cake|I like cake|true",
            "cake|cakes are nice|false",
            "cake|pancake|false",
            "cake|cake-walk|true",
            "cake*lie|the cake is a lie!|true",
            "@room|hello @room|true",
            "@room|x@room|false",
            "alice|ALICE: hi|true",
            "alice|alice_bob|false",
    })
    void bodyGlobsMatchBetweenWordBoundaries(String glob, String body, boolean expected) {
        assertEquals(expected, Glob.matchesWords(glob, body));
    }

    @Test
    void pathsUnescapeDotsAndBackslashesOnly() {
        assertEquals(List.of("content", "m.relates_to", "rel_type"), PropertyPath.parse("content.m\\.relates_to.rel_type").segments());
        assertEquals(List.of("content", "m\\foo"), PropertyPath.parse("content.m\\\\foo").segments());
        assertEquals(List.of("content", "\\x"), PropertyPath.parse("content.\\x").segments());
        assertEquals(List.of("type"), PropertyPath.parse("type").segments());
    }

    @Test
    void pathsResolveThroughObjectsOnly() throws Exception {
        var event = new ObjectMapper().readTree("{\"content\":{\"m.mentions\":{\"user_ids\":[\"@a:x\"]},\"body\":\"hi\"}}");
        assertEquals("@a:x", PropertyPath.parse("content.m\\.mentions.user_ids").resolve(event).get(0).asText());
        assertNull(PropertyPath.parse("content.body.length").resolve(event));
        assertNull(PropertyPath.parse("content.missing").resolve(event));
    }
}
