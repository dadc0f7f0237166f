package org.myelin.protocol.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Spec: appendices, "Room IDs"; rooms v12; fixtures in {@code spec-vectors/ids-room-ids.json}. */
class RoomIdTest {

    private static final String VECTORS = "ids-room-ids.json";

    static Stream<Arguments> valid() {
        return IdVectors.cases(VECTORS, "valid");
    }

    static Stream<Arguments> invalid() {
        return IdVectors.cases(VECTORS, "invalid");
    }

    static Stream<Arguments> around255Bytes() {
        return ByteLimits.around255Bytes('!', "example.org");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parsesDomainAndVersion12Forms(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        RoomId id = RoomId.parse(input);

        assertEquals(input, id.toString(), "wire form");
        assertEquals(IdVectors.text(testCase, "opaqueId"), id.opaqueId());
        assertEquals(IdVectors.optionalText(testCase, "domain").map(ServerName::parse), id.domain());
        assertEquals(id, new RoomId(id.opaqueId(), id.domain()));
        assertTrue(RoomId.isValid(input));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithReason(JsonNode testCase) {
        String input = IdVectors.text(testCase, "input");

        InvalidIdentifierException e =
                assertThrows(InvalidIdentifierException.class, () -> RoomId.parse(input));

        assertTrue(e.reason().contains(IdVectors.text(testCase, "because")),
                () -> "reason was: " + e.reason());
        assertEquals("room ID", e.kind());
        assertFalse(RoomId.isValid(input));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("around255Bytes")
    void limitsTheWholeIdTo255Utf8Bytes(String input, boolean fits) {
        // "Combined, the localpart, domain, and ! sigil MUST NOT exceed 255 bytes."
        assertEquals(fits, RoomId.isValid(input));
    }

    @Test
    void version12RoomIdIsTheCreateEventIdWithAnotherSigil() {
        // rooms v12: "The room ID is the event ID of the event with sigil ! instead of $."
        EventId create = EventId.parse("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg");

        RoomId room = RoomId.fromCreateEventId(create);

        assertEquals("!Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg", room.toString());
        assertEquals(Optional.empty(), room.domain());
        assertEquals(Optional.of(create), room.createEventId());
    }

    @Test
    void onlyUrlSafeHashEventIdsNameARoom() {
        EventId version3 = EventId.parse("$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk");
        EventId version1 = EventId.parse("$randomstring:example.org");

        assertThrows(InvalidIdentifierException.class, () -> RoomId.fromCreateEventId(version3));
        assertThrows(InvalidIdentifierException.class, () -> RoomId.fromCreateEventId(version1));
    }

    @Test
    void domainFormHasNoCreateEventId() {
        RoomId room = RoomId.parse("!636q39766251:example.com");

        assertEquals(Optional.of(ServerName.parse("example.com")), room.domain());
        assertEquals(Optional.empty(), room.createEventId());
    }
}
