package org.myelin.protocol.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Spec: appendices, "Server Name"; fixtures in {@code spec-vectors/ids-server-names.json}. */
class ServerNameTest {

    private static final String VECTORS = "ids-server-names.json";

    static Stream<Arguments> valid() {
        return IdVectors.cases(VECTORS, "valid");
    }

    static Stream<Arguments> invalid() {
        return IdVectors.cases(VECTORS, "invalid");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parsesHostPortAndKind(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        ServerName name = ServerName.parse(input);

        assertEquals(input, name.toString(), "wire form");
        assertEquals(IdVectors.text(testCase, "host"), name.host());
        JsonNode port = testCase.get("port");
        assertEquals(port.isNull() ? OptionalInt.empty() : OptionalInt.of(port.asInt()), name.port());
        ServerName.HostKind kind = ServerName.HostKind.valueOf(IdVectors.text(testCase, "kind"));
        assertEquals(kind, name.hostKind());
        assertEquals(kind != ServerName.HostKind.DNS, name.isIpLiteral());
        assertTrue(ServerName.isValid(input));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithReason(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        InvalidIdentifierException e =
                assertThrows(InvalidIdentifierException.class, () -> ServerName.parse(input));

        assertTrue(e.reason().contains(IdVectors.text(testCase, "because")),
                () -> "reason was: " + e.reason());
        assertEquals("server name", e.kind());
        assertFalse(ServerName.isValid(input));
    }

    @ParameterizedTest(name = "{0} chars")
    @CsvSource({
        // dns-name = 1*255dns-char, and the whole name is at most 255 characters
        "255, true",
        "256, false",
    })
    void limitsDnsNameTo255Characters(int length, boolean valid) {
        String name = "a".repeat(length - 4) + ".org";

        assertEquals(valid, ServerName.isValid(name));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // 250 + ":8448" is 255 characters, 251 + ":8448" is 256
        "250, true",
        "251, false",
    })
    void countsThePortInTheLimit(int hostLength, boolean valid) {
        assertEquals(valid, ServerName.isValid("a".repeat(hostLength) + ":8448"));
    }

    @Test
    void comparesCaseSensitively() {
        // "Server names must be treated case-sensitively"
        assertNotEquals(ServerName.parse("matrix.org"), ServerName.parse("MATRIX.ORG"));
        assertEquals(ServerName.parse("matrix.org:8448"), ServerName.parse("matrix.org:8448"));
        assertNotEquals(ServerName.parse("matrix.org:8448"), ServerName.parse("matrix.org:08448"));
    }

    @Test
    void constructorValidatesLikeParse() {
        assertThrows(InvalidIdentifierException.class, () -> new ServerName("matrix.org:0"));
        assertThrows(NullPointerException.class, () -> ServerName.parse(null));
        assertFalse(ServerName.isValid(null));
    }

    @Test
    void invalidIdentifierIsAnIllegalArgument() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ServerName.parse("matrix.org:0"));

        assertEquals("Invalid server name \"matrix.org:0\": the port must be 1 to 65535, not 0",
                e.getMessage());
    }
}
