package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.rooms.Rooms.obj;
import static org.myelin.server.client.rooms.Rooms.room;

/** {@code GET/PUT /rooms/{roomId}/state...}: reading and setting state, who may, and the errors. */
class RoomStateIT {

    static TestHomeserver hs;
    static Rooms rooms;
    static TestUser alice;
    static TestUser bob;
    static TestUser eve;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        rooms = new Rooms(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        eve = hs.registerUser("eve");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    @Test
    void setsAndReadsStateAsContentOrEvent() {
        String roomId = rooms.create(alice, "{\"name\":\"First\"}");
        String id = rooms.state(alice, roomId, "m.room.name", "", obj().put("name", "Second"));
        assertEquals("Second", rooms.ok(alice, "GET", room(roomId) + "/state/m.room.name", null).path("name").asText());
        assertEquals("Second", rooms.ok(alice, "GET", room(roomId) + "/state/m.room.name/", null).path("name").asText());
        JsonNode event = rooms.stateEvent(alice, roomId, "m.room.name", "");
        assertEquals(id, event.path("event_id").asText());
        assertEquals(alice.userId(), event.path("sender").asText());
        assertEquals(roomId, event.path("room_id").asText());
        assertEquals("", event.path("state_key").asText());
        assertEquals("First", event.path("unsigned").path("prev_content").path("name").asText());
        assertTrue(event.path("unsigned").has("replaces_state"));
        assertTrue(event.path("unsigned").path("age").asLong(-1) >= 0);
        assertFalse(event.has("signatures") || event.has("hashes") || event.has("prev_events") || event.has("depth"));

        String custom = rooms.state(alice, roomId, "org.example.thing", "odd/key:x", obj().put("v", 1));
        assertEquals(custom, rooms.stateEvent(alice, roomId, "org.example.thing", "odd/key:x").path("event_id").asText());

        Set<String> types = new HashSet<>();
        rooms.ok(alice, "GET", room(roomId) + "/state", null).forEach(e -> types.add(e.path("type").asText()));
        assertTrue(types.containsAll(Set.of("m.room.create", "m.room.member", "m.room.power_levels", "m.room.name",
                "org.example.thing")), types.toString());
        rooms.fails(404, "M_NOT_FOUND", alice, "GET", room(roomId) + "/state/m.room.topic/", null);
    }

    @Test
    void identicalStateMakesNoNewEvent() {
        String roomId = rooms.create(alice, "{}");
        String first = rooms.state(alice, roomId, "m.room.topic", "", obj().put("topic", "same"));
        assertEquals(first, rooms.state(alice, roomId, "m.room.topic", "", obj().put("topic", "same")));
        assertNotEquals(first, rooms.state(alice, roomId, "m.room.topic", "", obj().put("topic", "other")));
    }

    @Test
    void nonMembersAndLowPowerAreForbidden() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.fails(403, "M_FORBIDDEN", eve, "GET", room(roomId) + "/state", null);
        rooms.fails(403, "M_FORBIDDEN", eve, "GET", room(roomId) + "/state/m.room.create/", null);
        rooms.fails(403, "M_FORBIDDEN", eve, "PUT", room(roomId) + "/state/m.room.topic/", obj().put("topic", "x"));
        rooms.join(bob, roomId);
        rooms.fails(403, "M_FORBIDDEN", bob, "PUT", room(roomId) + "/state/m.room.power_levels/", obj());
        rooms.fails(403, "M_FORBIDDEN", bob, "PUT", room(roomId) + "/state/m.room.create/", obj());
        rooms.fails(404, "M_NOT_FOUND", alice, "GET", room("!unknown:" + hs.serverName()) + "/state", null);
        rooms.fails(404, "M_NOT_FOUND", alice, "PUT", room("!unknown:" + hs.serverName()) + "/state/m.room.topic/",
                obj().put("topic", "x"));
        rooms.fails(400, "M_INVALID_PARAM", alice, "GET", room("not-a-room") + "/state", null);
    }

    @Test
    void badBodiesAreRefused() {
        String roomId = rooms.create(alice, "{}");
        rooms.fails(400, "M_NOT_JSON", alice, "PUT", room(roomId) + "/state/m.room.topic/", "{oops");
        rooms.fails(400, "M_BAD_JSON", alice, "PUT", room(roomId) + "/state/m.room.topic/", "[\"topic\"]");
        rooms.fails(413, "M_TOO_LARGE", alice, "PUT", room(roomId) + "/state/m.room.topic/",
                obj().put("topic", "x".repeat(70_000)));
    }

    @Test
    void leftUserSeesStateAsOfLeavingAndWorldReadableRoomsAreOpen() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\",\"name\":\"Before\"}");
        rooms.join(bob, roomId);
        rooms.leave(bob, roomId);
        rooms.state(alice, roomId, "m.room.name", "", obj().put("name", "After"));
        assertEquals("Before", rooms.ok(bob, "GET", room(roomId) + "/state/m.room.name/", null).path("name").asText());
        assertEquals("After", rooms.ok(alice, "GET", room(roomId) + "/state/m.room.name/", null).path("name").asText());

        rooms.state(alice, roomId, "m.room.history_visibility", "", obj().put("history_visibility", "world_readable"));
        assertEquals("After", rooms.ok(eve, "GET", room(roomId) + "/state/m.room.name/", null).path("name").asText());
        assertEquals("Before", rooms.ok(bob, "GET", room(roomId) + "/state/m.room.name/", null).path("name").asText(),
                "a departed member still reads the state as of their departure");
    }

    @Test
    void canonicalAliasMustNameThisRoom() {
        String roomId = rooms.create(alice, "{\"room_alias_name\":\"canon\"}");
        String other = rooms.create(alice, "{\"room_alias_name\":\"elsewhere\"}");
        String server = hs.serverName();
        rooms.fails(400, "M_BAD_ALIAS", alice, "PUT", room(roomId) + "/state/m.room.canonical_alias/",
                obj().put("alias", "#elsewhere:" + server));
        rooms.fails(400, "M_BAD_ALIAS", alice, "PUT", room(roomId) + "/state/m.room.canonical_alias/",
                Rooms.obj("{\"alias\":\"#canon:" + server + "\",\"alt_aliases\":[\"#missing:" + server + "\"]}"));
        rooms.fails(400, "M_INVALID_PARAM", alice, "PUT", room(roomId) + "/state/m.room.canonical_alias/",
                obj().put("alias", "nonsense"));
        rooms.state(alice, roomId, "m.room.canonical_alias", "", obj().put("alias", "#canon:" + server));
        assertFalse(other.isEmpty());
    }

}
