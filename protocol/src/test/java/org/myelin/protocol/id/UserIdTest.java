package org.myelin.protocol.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Spec: appendices, "User Identifiers" and "Historical User IDs"; fixtures in
 * {@code spec-vectors/ids-user-ids.json}.
 */
class UserIdTest {

    private static final String VECTORS = "ids-user-ids.json";

    static Stream<Arguments> valid() {
        return IdVectors.cases(VECTORS, "valid");
    }

    static Stream<Arguments> invalid() {
        return IdVectors.cases(VECTORS, "invalid");
    }

    static Stream<Arguments> notStrict() {
        return IdVectors.cases(VECTORS, "notStrict");
    }

    static Stream<Arguments> around255Bytes() {
        return ByteLimits.around255Bytes('@', "example.org");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void acceptsCurrentAndHistoricalUserIds(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        UserId id = UserId.parse(input);

        assertEquals(input, id.toString(), "wire form");
        assertEquals(IdVectors.text(testCase, "localpart"), id.localpart());
        assertEquals(ServerName.parse(IdVectors.text(testCase, "server")), id.server());
        assertEquals(testCase.get("strict").asBoolean(), id.isStrictlyValid(), "strict");
        assertEquals(testCase.get("strict").asBoolean(), UserId.isStrictlyValid(input), "strict");
        assertEquals(testCase.get("compliant").asBoolean(), id.isCompliant(), "compliant");
        assertEquals(id, new UserId(id.localpart(), id.server()));
        assertTrue(UserId.isValid(input));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithReason(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        InvalidIdentifierException e =
                assertThrows(InvalidIdentifierException.class, () -> UserId.parse(input));

        assertTrue(e.reason().contains(IdVectors.text(testCase, "because")),
                () -> "reason was: " + e.reason());
        assertEquals("user ID", e.kind());
        assertFalse(UserId.isValid(input));
        assertFalse(UserId.isStrictlyValid(input));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notStrict")
    void strictParsingRejectsHistoricalLocalparts(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        InvalidIdentifierException e =
                assertThrows(InvalidIdentifierException.class, () -> UserId.parseStrict(input));

        assertTrue(e.reason().contains("a-z, 0-9, '.', '_', '=', '-', '/' and '+'"), e::reason);
        assertTrue(UserId.isValid(input), "still a historical user ID");
    }

    @Test
    void strictParsingAcceptsTheCurrentGrammar() {
        assertEquals("a.b_c=d-e/f+g", UserId.parseStrict("@a.b_c=d-e/f+g:example.org").localpart());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("around255Bytes")
    void limitsTheWholeIdTo255Utf8Bytes(String input, boolean fits) {
        // "The length of a user ID, including the @ sigil and the domain, MUST NOT exceed 255 bytes."
        assertEquals(fits, UserId.isValid(input));
        if (!fits) {
            InvalidIdentifierException e =
                    assertThrows(InvalidIdentifierException.class, () -> UserId.parse(input));
            assertEquals("must be at most 255 bytes in UTF-8, not 256", e.reason());
        }
    }

    @Test
    void longServerNameCountsTowardsTheLimit() {
        ServerName longest = ServerName.parse("a".repeat(255));

        assertThrows(InvalidIdentifierException.class, () -> new UserId("u", longest));
    }

    @Test
    void comparesByWireForm() {
        // "@user:matrix.org is a different person from @user:MATRIX.ORG"
        assertNotEquals(UserId.parse("@user:matrix.org"), UserId.parse("@user:MATRIX.ORG"));
        assertNotEquals(UserId.parse("@user:matrix.org"), UserId.parse("@USER:matrix.org"));
        assertEquals(UserId.parse("@user:matrix.org"),
                new UserId("user", ServerName.parse("matrix.org")));
    }

    @Test
    void constructorRejectsWhatParseRejects() {
        ServerName server = ServerName.parse("example.org");

        assertThrows(InvalidIdentifierException.class, () -> new UserId("a:b", server));
        assertThrows(InvalidIdentifierException.class, () -> new UserId("a\0b", server));
        assertThrows(NullPointerException.class, () -> new UserId("a", null));
    }

    @Test
    void errorMessageShowsHostileInputSafely() {
        String input = "@\u001b[31mred\n" + "x".repeat(200) + ":bad_server";

        InvalidIdentifierException e =
                assertThrows(InvalidIdentifierException.class, () -> UserId.parse(input));

        assertFalse(e.getMessage().contains("\n"), "no raw newline in a log line");
        assertFalse(e.getMessage().contains("\u001b"), "no raw escape in a log line");
        assertTrue(e.getMessage().contains("\\u001b[31mred\\u000a"), e::getMessage);
        assertTrue(e.getMessage().contains("(" + input.length() + " chars)"), e::getMessage);
    }
}
