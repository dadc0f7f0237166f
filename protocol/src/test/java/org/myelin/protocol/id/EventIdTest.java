package org.myelin.protocol.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Spec: appendices, "Event IDs"; rooms v1, v3 and v4, "Event IDs"; fixtures in
 * {@code spec-vectors/ids-event-ids.json}.
 */
class EventIdTest {

    private static final String VECTORS = "ids-event-ids.json";

    static Stream<Arguments> valid() {
        return IdVectors.cases(VECTORS, "valid");
    }

    static Stream<Arguments> invalid() {
        return IdVectors.cases(VECTORS, "invalid");
    }

    static Stream<Arguments> around255Bytes() {
        return ByteLimits.around255Bytes('$', "example.org");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parsesEveryRoomVersionsForm(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        EventId id = EventId.parse(input);

        assertEquals(input, id.toString(), "wire form");
        assertEquals(IdVectors.text(testCase, "opaqueId"), id.opaqueId());
        assertEquals(IdVectors.optionalText(testCase, "domain").map(ServerName::parse), id.domain());
        Set<EventId.Format> expected = EnumSet.noneOf(EventId.Format.class);
        StreamSupport.stream(testCase.get("formats").spliterator(), false)
                .forEach(format -> expected.add(EventId.Format.valueOf(format.asText())));
        for (EventId.Format format : EventId.Format.values()) {
            assertEquals(expected.contains(format), id.hasFormat(format), format.name());
        }
        assertTrue(EventId.isValid(input));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithReason(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        InvalidIdentifierException e =
                assertThrows(InvalidIdentifierException.class, () -> EventId.parse(input));

        assertTrue(e.reason().contains(IdVectors.text(testCase, "because")),
                () -> "reason was: " + e.reason());
        assertEquals("event ID", e.kind());
        assertFalse(EventId.isValid(input));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("around255Bytes")
    void limitsTheWholeIdTo255Utf8Bytes(String input, boolean fits) {
        // "the length of an event ID, including the $ sigil and the domain where present,
        // MUST NOT exceed 255 bytes"
        assertEquals(fits, EventId.isValid(input));
    }

    @Test
    void version3AndVersion4HashesOfOneEventDiffer() {
        // The same 32 bytes: v3 writes '+' and '/', v4 writes '-' and '_'.
        EventId v3 = EventId.parse("$acR1l0raoZnm60CBwAVgqbZqoO+mYU81xysh1u7XcJk");
        EventId v4 = EventId.parse("$acR1l0raoZnm60CBwAVgqbZqoO-mYU81xysh1u7XcJk");

        assertNotEquals(v3, v4);
        assertTrue(v3.hasFormat(EventId.Format.STANDARD_HASH));
        assertFalse(v3.hasFormat(EventId.Format.URL_SAFE_HASH));
        assertTrue(v4.hasFormat(EventId.Format.URL_SAFE_HASH));
        assertFalse(v4.hasFormat(EventId.Format.STANDARD_HASH));
    }

    @Test
    void constructorRejectsWhatParseRejects() {
        assertThrows(InvalidIdentifierException.class, () -> new EventId("short", Optional.empty()));
        assertThrows(InvalidIdentifierException.class,
                () -> new EventId("a:b", Optional.of(ServerName.parse("example.org"))));
    }
}
