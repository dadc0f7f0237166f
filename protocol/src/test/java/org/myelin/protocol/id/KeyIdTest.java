package org.myelin.protocol.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Spec: appendices, "Signing Details"; server-server API, "Server Keys"; fixtures in
 * {@code spec-vectors/ids-key-ids.json}.
 */
class KeyIdTest {

    private static final String VECTORS = "ids-key-ids.json";

    static Stream<Arguments> valid() {
        return IdVectors.cases(VECTORS, "valid");
    }

    static Stream<Arguments> invalid() {
        return IdVectors.cases(VECTORS, "invalid");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parsesAlgorithmAndVersion(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        KeyId id = KeyId.parse(input);

        assertEquals(input, id.toString(), "wire form");
        assertEquals(IdVectors.text(testCase, "algorithm"), id.algorithm());
        assertEquals(IdVectors.text(testCase, "version"), id.version());
        assertTrue(KeyId.isValid(input));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithReason(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        InvalidIdentifierException e =
                assertThrows(InvalidIdentifierException.class, () -> KeyId.parse(input));

        assertTrue(e.reason().contains(IdVectors.text(testCase, "because")),
                () -> "reason was: " + e.reason());
        assertFalse(KeyId.isValid(input));
    }

    @Test
    void buildsEd25519KeyIds() {
        assertEquals(KeyId.parse("ed25519:abc_1"), KeyId.ed25519("abc_1"));
        assertThrows(InvalidIdentifierException.class, () -> KeyId.ed25519("abc-1"));
    }
}
