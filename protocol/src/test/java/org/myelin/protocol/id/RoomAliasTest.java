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

/** Spec: appendices, "Room Aliases"; fixtures in {@code spec-vectors/ids-room-aliases.json}. */
class RoomAliasTest {

    private static final String VECTORS = "ids-room-aliases.json";

    static Stream<Arguments> valid() {
        return IdVectors.cases(VECTORS, "valid");
    }

    static Stream<Arguments> invalid() {
        return IdVectors.cases(VECTORS, "invalid");
    }

    static Stream<Arguments> around255Bytes() {
        return ByteLimits.around255Bytes('#', "example.org");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parsesLocalpartAndServer(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        RoomAlias alias = RoomAlias.parse(input);

        assertEquals(input, alias.toString(), "wire form");
        assertEquals(IdVectors.text(testCase, "localpart"), alias.localpart());
        assertEquals(ServerName.parse(IdVectors.text(testCase, "server")), alias.server());
        assertTrue(RoomAlias.isValid(input));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithReason(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        InvalidIdentifierException e =
                assertThrows(InvalidIdentifierException.class, () -> RoomAlias.parse(input));

        assertTrue(e.reason().contains(IdVectors.text(testCase, "because")),
                () -> "reason was: " + e.reason());
        assertEquals("room alias", e.kind());
        assertFalse(RoomAlias.isValid(input));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("around255Bytes")
    void limitsTheWholeAliasTo255Utf8Bytes(String input, boolean fits) {
        // "The length of a room alias, including the # sigil and the domain, MUST NOT exceed 255 bytes."
        assertEquals(fits, RoomAlias.isValid(input));
    }

    @Test
    void comparesCaseSensitively() {
        assertNotEquals(RoomAlias.parse("#room:example.org"), RoomAlias.parse("#Room:example.org"));
        assertEquals(RoomAlias.parse("#room:example.org"),
                new RoomAlias("room", ServerName.parse("example.org")));
    }
}
