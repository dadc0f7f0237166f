package org.myelin.protocol.event;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Event format, ids and sizes per room version (rooms/v*.md "Event format", "Event IDs"; CS API "Size limits"). */
class PduTest {

    static final SigningKey KEY = SigningKey.fromSeed("1", new byte[32]);

    static EventBuilder message(RoomVersion v) {
        return EventBuilder.in(v, "!room:example.org").eventId("$ev1:example.org").type("m.room.message")
                .sender("@alice:example.org").content(content("body", "hi")).prevEvents(List.of("$p:example.org"))
                .authEvents(List.of("$a:example.org")).depth(7).originServerTs(1234);
    }

    static ObjectNode content(String key, String value) {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put(key, value);
        return c;
    }

    @ParameterizedTest(name = "v{0}: {1}")
    @CsvSource({
        "1,  '^\\$ev1:example\\.org$'",
        "2,  '^\\$ev1:example\\.org$'",
        "3,  '^\\$[A-Za-z0-9+/]{43}$'",
        "4,  '^\\$[A-Za-z0-9_-]{43}$'",
        "10, '^\\$[A-Za-z0-9_-]{43}$'",
        "12, '^\\$[A-Za-z0-9_-]{43}$'",
    })
    void eventIdHasTheFormatOfItsVersion(String version, String pattern) {
        Pdu pdu = message(RoomVersions.find(version).orElseThrow()).build("example.org", KEY);
        assertTrue(Pattern.matches(pattern, pdu.eventId()), pdu.eventId());
        assertEquals(List.of("$p:example.org"), pdu.prevEventIds());
        assertEquals(List.of("$a:example.org"), pdu.authEventIds());
        assertEquals(7, pdu.depth());
    }

    @Test
    void eventIdIsTheReferenceHash() {
        Pdu pdu = message(RoomVersions.V10).build("example.org", KEY);
        ObjectNode redacted = Redaction.redact(pdu.json(), RoomVersions.V10.redaction());
        byte[] hash = EventHashes.sha256(CanonicalJson.encodeWithout(redacted, "signatures", "unsigned"));
        assertEquals("$" + UnpaddedBase64.encodeUrlSafe(hash), pdu.eventId());
    }

    @Test
    void eventIdDoesNotDependOnRedactableContentOrSignatures() {
        Pdu pdu = message(RoomVersions.V10).build("example.org", KEY);
        ObjectNode changed = pdu.jsonCopy();
        changed.set("content", content("body", "changed"));
        changed.putObject("signatures").putObject("other.org").put("ed25519:x", "sig");
        changed.putObject("unsigned").put("age", 5);
        assertEquals(pdu.eventId(), Pdu.parse(changed, RoomVersions.V10).eventId());
    }

    @Test
    void v12CreateEventFoundsTheRoomIdAndHasNone() {
        ObjectNode createContent = JsonNodeFactory.instance.objectNode().put("room_version", "12");
        Pdu create = EventBuilder.in(RoomVersions.V12, null).type("m.room.create").stateKey("")
                .sender("@alice:example.org").content(createContent).build("example.org", KEY);
        assertEquals("!" + create.eventId().substring(1), create.roomId());
        assertFalse(create.json().has("room_id"));

        ObjectNode withRoomId = create.jsonCopy();
        withRoomId.put("room_id", "!x:example.org");
        assertThrows(InvalidEventException.class, () -> Pdu.parse(withRoomId, RoomVersions.V12));
    }

    @Test
    void redactsMovesIntoContentFromV11() {
        Pdu v10 = message(RoomVersions.V10).type("m.room.redaction").redacts("$x").build("example.org", KEY);
        Pdu v11 = message(RoomVersions.V11).type("m.room.redaction").redacts("$x").build("example.org", KEY);
        assertEquals("$x", v10.redacts());
        assertTrue(v10.json().has("redacts"));
        assertEquals("$x", v11.redacts());
        assertEquals("$x", v11.content().get("redacts").asText());
        assertFalse(v11.json().has("redacts"));
    }

    @Test
    void rejectsAnEventOver64KiB() {
        String big = "x".repeat(Pdu.MAX_EVENT_BYTES);
        EventBuilder builder = message(RoomVersions.V12).content(content("body", big));
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> builder.build("example.org", KEY));
        assertTrue(e.getMessage().contains("over the limit"), e.getMessage());
    }

    @Test
    void acceptsAnEventJustUnder64KiB() {
        Pdu small = message(RoomVersions.V12).content(content("body", "")).build("example.org", KEY);
        int overhead = CanonicalJson.encode(small.json()).length;
        Pdu pdu = message(RoomVersions.V12).content(content("body", "x".repeat(Pdu.MAX_EVENT_BYTES - overhead)))
                .build("example.org", KEY);
        assertEquals(Pdu.MAX_EVENT_BYTES, pdu.canonicalBytes().length);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"type", "state_key", "sender", "room_id"})
    void rejectsFieldsOver255Bytes(String field) {
        ObjectNode json = message(RoomVersions.V12).stateKey("").build("example.org", KEY).jsonCopy();
        String prefix = switch (field) {
            case "sender" -> "@";
            case "room_id" -> "!";
            default -> "";
        };
        String suffix = field.equals("sender") || field.equals("room_id") ? ":x" : "";
        json.put(field, prefix + "é".repeat(128) + suffix);
        assertThrows(InvalidEventException.class, () -> Pdu.parse(json, RoomVersions.V12));
        json.put(field, prefix + "a".repeat(255 - prefix.length() - suffix.length()) + suffix);
        Pdu.parse(json, RoomVersions.V12);
    }

    @ParameterizedTest(name = "missing {0}")
    @CsvSource({"type", "sender", "room_id", "content", "depth", "origin_server_ts", "prev_events", "auth_events"})
    void rejectsEventsMissingARequiredField(String field) {
        ObjectNode json = message(RoomVersions.V12).build("example.org", KEY).jsonCopy();
        json.remove(field);
        assertThrows(InvalidEventException.class, () -> Pdu.parse(json, RoomVersions.V12));
    }

    @Test
    void rejectsV1EventWithoutEventId() {
        ObjectNode json = message(RoomVersions.V1).build("example.org", KEY).jsonCopy();
        json.remove("event_id");
        assertThrows(InvalidEventException.class, () -> Pdu.parse(json, RoomVersions.V1));
    }

    @Test
    void strictIntegersFromV6Only() {
        byte[] json = ("{\"type\":\"m.room.message\",\"room_id\":\"!r:x\",\"sender\":\"@u:x\",\"content\":{\"n\":"
                + "9007199254740993},\"depth\":1,\"origin_server_ts\":1,\"prev_events\":[],\"auth_events\":[],"
                + "\"hashes\":{},\"signatures\":{}}").getBytes(StandardCharsets.UTF_8);
        assertThrows(InvalidEventException.class, () -> Pdu.parse(json, RoomVersions.V6));
        Pdu lenient = Pdu.parse(json, RoomVersions.V5);
        assertEquals("m.room.message", lenient.type());
    }

    @Test
    void messageEventsHaveNoStateKey() {
        Pdu pdu = message(RoomVersions.V12).build("example.org", KEY);
        assertNull(pdu.stateKey());
        assertFalse(pdu.isState());
        assertTrue(pdu.stateEntry().isEmpty());
    }

    @Test
    void v1EdgesArePairs() {
        Pdu pdu = message(RoomVersions.V1).build("example.org", KEY);
        assertTrue(pdu.json().get("prev_events").get(0).isArray());
        assertEquals("$p:example.org", pdu.json().get("prev_events").get(0).get(0).asText());
    }

    @Test
    void rejectsMoreThanTwentyPrevEventsOrTenAuthEvents() {
        List<String> twenty = ids(20);
        Pdu pdu = message(RoomVersions.V12).prevEvents(twenty).authEvents(ids(10)).build("example.org", KEY);
        assertEquals(20, pdu.prevEventIds().size());
        InvalidEventException prevs = assertThrows(InvalidEventException.class,
                () -> message(RoomVersions.V12).prevEvents(ids(21)).build("example.org", KEY));
        assertTrue(prevs.getMessage().contains("prev_events"), prevs.getMessage());
        InvalidEventException auths = assertThrows(InvalidEventException.class,
                () -> message(RoomVersions.V1).authEvents(ids(11)).build("example.org", KEY));
        assertTrue(auths.getMessage().contains("auth_events"), auths.getMessage());
    }

    @Test
    void rejectsADepthBelowOne() {
        assertEquals(1, message(RoomVersions.V12).depth(1).build("example.org", KEY).depth());
        assertThrows(InvalidEventException.class, () -> message(RoomVersions.V12).depth(0).build("example.org", KEY));
        assertThrows(InvalidEventException.class, () -> message(RoomVersions.V5).depth(-3).build("example.org", KEY));
    }

    @Test
    void strippedStateKeptBesideAnEventIsNotPartOfIt() {
        Pdu invite = message(RoomVersions.V11).type("m.room.member").stateKey("@bob:example.org")
                .content(content("membership", "invite")).build("example.org", KEY);
        com.fasterxml.jackson.databind.node.ArrayNode roomState = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < 3; i++) {
            roomState.addObject().put("type", "m.room.topic").putObject("content").put("topic", "x".repeat(40_000));
        }
        Pdu stored = invite.withUnsigned("invite_room_state", roomState);
        assertEquals(invite.eventId(), stored.eventId());
        assertEquals(3, stored.json().path("unsigned").path("invite_room_state").size());
        assertFalse(invite.json().has("unsigned"), "the original is unchanged");
        Pdu reloaded = Pdu.parse(stored.canonicalBytes(), RoomVersions.V11);
        assertEquals(3, reloaded.json().path("unsigned").path("invite_room_state").size());
    }

    private static List<String> ids(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "$e" + i + ":example.org").toList();
    }

    @Test
    void anEventMayNestUpToTheLimitItsContentOneLevelLess() {
        ObjectNode atTheLimit = (ObjectNode) MatrixJson.parse(("{\"d\":".repeat(MatrixJson.MAX_DEPTH - 2) + "{}"
                + "}".repeat(MatrixJson.MAX_DEPTH - 2)).getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.LENIENT);
        Pdu pdu = message(RoomVersions.V12).content(atTheLimit).build("example.org", KEY);
        assertEquals(MatrixJson.MAX_DEPTH, MatrixJson.depth(pdu.json()));
        ObjectNode deeper = JsonNodeFactory.instance.objectNode();
        deeper.set("d", atTheLimit);
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> message(RoomVersions.V12).content(deeper).build("example.org", KEY));
        assertTrue(e.getMessage().contains("deeper than " + MatrixJson.MAX_DEPTH), e.getMessage());
    }

    @Test
    void contentMayHoldNulButTypeStateKeyAndRedactsMayNot() {
        Pdu pdu = message(RoomVersions.V12).content(content("body", "hi\u0000")).build("example.org", KEY);
        assertEquals("hi\u0000", pdu.content().path("body").textValue());
        assertThrows(InvalidEventException.class,
                () -> message(RoomVersions.V12).type("m.room.\u0000message").build("example.org", KEY));
        assertThrows(InvalidEventException.class,
                () -> message(RoomVersions.V12).stateKey("k\u0000").build("example.org", KEY));
        assertThrows(InvalidEventException.class, () -> message(RoomVersions.V12).type("m.room.redaction")
                .redacts("$abc\u0000").build("example.org", KEY));
    }

    @Test
    void contentWithoutACanonicalFormIsAnInvalidEvent() {
        ObjectNode fraction = JsonNodeFactory.instance.objectNode().put("n", new java.math.BigDecimal("1.5"));
        for (RoomVersion v : List.of(RoomVersions.V5, RoomVersions.V12)) {
            assertThrows(InvalidEventException.class,
                    () -> message(v).content(fraction).build("example.org", KEY), v.id());
        }
        ObjectNode integral = JsonNodeFactory.instance.objectNode().put("n", new java.math.BigDecimal("2.0"));
        assertThrows(InvalidEventException.class, () -> message(RoomVersions.V12).content(integral)
                .build("example.org", KEY), "room versions 6+ allow integers only");
        ObjectNode surrogate = content("body", "\ud800");
        assertThrows(InvalidEventException.class,
                () -> message(RoomVersions.V12).content(surrogate).build("example.org", KEY));
    }

    @Test
    void treeWalkersCopeWithTheDeepestEventThatParses() {
        // An event past the limit is refused, but it must parse and be walked (hashed, redacted) first.
        int levels = MatrixJson.MAX_PARSE_DEPTH - 2;
        String deepest = "{\"d\":".repeat(levels) + "{}" + "}".repeat(levels);
        ObjectNode event = message(RoomVersions.V12).unsignedJson();
        event.set("content", MatrixJson.parse(deepest.getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.LENIENT));
        event.with("content").put("membership", "join");
        event.put("type", "m.room.member").put("state_key", "@alice:example.org");
        assertTrue(EventHashes.contentHash(event).length > 0);
        assertTrue(Redaction.redact(event, RoomVersions.V12.redaction()).has("content"));
        assertThrows(InvalidEventException.class, () -> Pdu.parse(event, RoomVersions.V12));
    }
}
