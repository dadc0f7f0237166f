package org.myelin.server.client.sync.filter;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.myelin.server.http.Json;
import org.myelin.server.http.MatrixException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterMatchingTest {

    @Test
    void typePatternsUseStarForAnySequence() {
        assertTrue(TypePatterns.matches("m.room.*", "m.room.message"));
        assertTrue(TypePatterns.matches("*", "anything"));
        assertTrue(TypePatterns.matches("m.*.message", "m.room.message"));
        assertTrue(TypePatterns.matches("*.message", "m.room.message"));
        assertTrue(TypePatterns.matches("m.room.message", "m.room.message"));
        assertTrue(TypePatterns.matches("m.**e", "m.room.message"));
        assertFalse(TypePatterns.matches("m.room.*", "m.roomy"));
        assertFalse(TypePatterns.matches("m.room.message", "m.room.messages"));
        assertFalse(TypePatterns.matches("*.member", "m.room.message"));
        assertFalse(TypePatterns.matches("", "m"));
    }

    @Test
    void exclusionsWinOverInclusions() {
        EventFilter filter = new EventFilter(null, List.of("m.*"), List.of("m.secret"), List.of("@a:x", "@b:x"),
                List.of("@b:x"));
        assertTrue(filter.allows("m.public", "@a:x"));
        assertFalse(filter.allows("m.secret", "@a:x"));
        assertFalse(filter.allows("m.public", "@b:x"));
        assertFalse(filter.allows("org.other", "@a:x"));
        assertTrue(EventFilter.ALL.allows("anything", null));
        assertFalse(new EventFilter(null, List.of(), null, null, null).allows("m.any", null), "[] lets nothing in");
    }

    @Test
    void containsUrlLooksAtTheContent() {
        RoomEventFilter withUrl = new RoomEventFilter(null, null, null, null, null, null, null, true, null, null, null);
        var factory = JsonNodeFactory.instance;
        assertTrue(withUrl.allows("!r:x", "m.room.message", "@a:x", factory.objectNode().put("url", "mxc://x/y")));
        assertFalse(withUrl.allows("!r:x", "m.room.message", "@a:x", factory.objectNode().put("body", "hi")));
        RoomEventFilter withoutUrl = new RoomEventFilter(null, null, null, null, null, List.of("!r:x"), null, false,
                null, null, null);
        assertTrue(withoutUrl.allows("!r:x", "m.room.message", "@a:x", factory.objectNode()));
        assertFalse(withoutUrl.allows("!other:x", "m.room.message", "@a:x", factory.objectNode()));
    }

    @Test
    void parsingFillsInDefaultsAndRefusesBadShapes() throws Exception {
        SyncFilter filter = Filters.parse(Json.MAPPER.readTree("{\"room\": {\"state\": {\"lazy_load_members\": true}}}"));
        assertTrue(filter.room().state().lazyLoadsMembers());
        assertEquals(RoomEventFilter.ALL, filter.room().timeline());
        assertFalse(filter.federationFormat());
        MatrixException e = assertThrows(MatrixException.class,
                () -> Filters.parse(Json.MAPPER.readTree("{\"presence\": {\"limit\": -3}}")));
        assertEquals("M_BAD_JSON", e.errCode().name());
        assertThrows(MatrixException.class, () -> Filters.parse(Json.MAPPER.readTree("{\"room\": []}")));
    }
}
