package org.myelin.server.client.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.client.rooms.Rooms.V3;
import static org.myelin.server.client.rooms.Rooms.obj;
import static org.myelin.server.client.rooms.Rooms.room;

/** {@code POST /createRoom}: event order, presets, power levels per room version, errors. */
class CreateRoomIT {

    static TestHomeserver hs;
    static Rooms rooms;
    static TestUser alice;
    static TestUser bob;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        rooms = new Rooms(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    /** The room's events oldest first, as /messages gives them. */
    static List<JsonNode> timeline(TestUser user, String roomId) {
        JsonNode page = rooms.ok(user, "GET", room(roomId) + "/messages?dir=f&limit=100", null);
        List<JsonNode> events = new ArrayList<>();
        page.path("chunk").forEach(events::add);
        return events;
    }

    @Test
    void defaultRoomIsVersion12WithEventsInSynapseOrder() {
        String roomId = rooms.create(alice, "{\"name\":\"Lobby\",\"topic\":\"Say hi\",\"invite\":[\"" + bob.userId() + "\"]}");
        List<String> order = timeline(alice, roomId).stream()
                .map(e -> e.path("type").asText() + (e.has("state_key") ? "/" + e.path("state_key").asText() : ""))
                .toList();
        assertEquals(List.of("m.room.create/", "m.room.member/" + alice.userId(), "m.room.power_levels/",
                "m.room.join_rules/", "m.room.history_visibility/", "m.room.guest_access/", "m.room.name/",
                "m.room.topic/", "m.room.member/" + bob.userId()), order);
        JsonNode create = rooms.stateEvent(alice, roomId, "m.room.create", "");
        assertEquals("12", create.path("content").path("room_version").asText());
        assertFalse(create.path("content").has("creator"), "v11+ has no creator key");
        assertEquals(roomId.substring(1), create.path("event_id").asText().substring(1), "v12 room id is the create event's");
        JsonNode levels = rooms.stateEvent(alice, roomId, "m.room.power_levels", "").path("content");
        assertFalse(levels.path("users").has(alice.userId()), "v12 creators are not listed");
        assertEquals(150, levels.path("events").path("m.room.tombstone").asInt());
        assertEquals(0, levels.path("invite").asInt(), "private_chat lets members invite");
        assertEquals("invite", rooms.stateEvent(alice, roomId, "m.room.join_rules", "").path("content").path("join_rule").asText());
        assertEquals("shared", rooms.stateEvent(alice, roomId, "m.room.history_visibility", "").path("content")
                .path("history_visibility").asText());
        assertEquals("can_join", rooms.stateEvent(alice, roomId, "m.room.guest_access", "").path("content")
                .path("guest_access").asText());
        JsonNode topic = rooms.stateEvent(alice, roomId, "m.room.topic", "").path("content");
        assertEquals("Say hi", topic.path("topic").asText());
        assertEquals("text/plain", topic.path("m.topic").path("m.text").path(0).path("mimetype").asText());
        assertEquals("invite", rooms.stateEvent(alice, roomId, "m.room.member", bob.userId()).path("content")
                .path("membership").asText());
    }

    @Test
    void version10RoomHasServerRoomIdCreatorAndCreatorInUsers() {
        String roomId = rooms.create(alice, "{\"room_version\":\"10\",\"preset\":\"public_chat\"}");
        assertTrue(roomId.endsWith(":" + hs.serverName()), roomId);
        assertEquals(alice.userId(), rooms.stateEvent(alice, roomId, "m.room.create", "").path("content")
                .path("creator").asText());
        JsonNode levels = rooms.stateEvent(alice, roomId, "m.room.power_levels", "").path("content");
        assertEquals(100, levels.path("users").path(alice.userId()).asInt());
        assertEquals(100, levels.path("events").path("m.room.tombstone").asInt());
        assertEquals(50, levels.path("invite").asInt(), "public_chat keeps Synapse's invite level");
        assertEquals("public", rooms.stateEvent(alice, roomId, "m.room.join_rules", "").path("content")
                .path("join_rule").asText());
        rooms.fails(404, "M_NOT_FOUND", alice, "GET", room(roomId) + "/state/m.room.guest_access/", null);
    }

    @Test
    void trustedPrivateChatMakesInviteesCreatorsInV12AndAdminsBefore() {
        String v12 = rooms.create(alice, "{\"preset\":\"trusted_private_chat\",\"is_direct\":true,\"invite\":[\""
                + bob.userId() + "\"]}");
        JsonNode create = rooms.stateEvent(alice, v12, "m.room.create", "").path("content");
        assertEquals(bob.userId(), create.path("additional_creators").path(0).asText());
        JsonNode invite = rooms.stateEvent(alice, v12, "m.room.member", bob.userId()).path("content");
        assertTrue(invite.path("is_direct").asBoolean(), invite.toString());

        String v11 = rooms.create(alice, "{\"room_version\":\"11\",\"preset\":\"trusted_private_chat\",\"invite\":[\""
                + bob.userId() + "\"]}");
        JsonNode levels = rooms.stateEvent(alice, v11, "m.room.power_levels", "").path("content");
        assertEquals(100, levels.path("users").path(bob.userId()).asInt());
        assertEquals(100, levels.path("users").path(alice.userId()).asInt());
    }

    @Test
    void initialStateAndOverridesWin() {
        String roomId = rooms.create(alice, """
                {"preset":"private_chat","name":"Named",
                 "initial_state":[{"type":"m.room.join_rules","content":{"join_rule":"public"}},
                                  {"type":"m.room.name","content":{"name":"Overridden by name"}},
                                  {"type":"org.example.custom","state_key":"k","content":{"x":1}}],
                 "power_level_content_override":{"events_default":20,"users":{"%s":100}},
                 "creation_content":{"m.federate":false,"type":"m.space"}}
                """.formatted(bob.userId()));
        assertEquals("public", rooms.stateEvent(alice, roomId, "m.room.join_rules", "").path("content").path("join_rule").asText());
        assertEquals("Named", rooms.stateEvent(alice, roomId, "m.room.name", "").path("content").path("name").asText());
        assertEquals(1, rooms.stateEvent(alice, roomId, "org.example.custom", "k").path("content").path("x").asInt());
        JsonNode levels = rooms.stateEvent(alice, roomId, "m.room.power_levels", "").path("content");
        assertEquals(20, levels.path("events_default").asInt());
        assertEquals(100, levels.path("users").path(bob.userId()).asInt());
        JsonNode create = rooms.stateEvent(alice, roomId, "m.room.create", "").path("content");
        assertFalse(create.path("m.federate").asBoolean(true));
        assertEquals("m.space", create.path("type").asText());
    }

    @Test
    void aliasNameBecomesCanonicalAliasAndPublicVisibilityPublishes() {
        String roomId = rooms.create(alice, "{\"visibility\":\"public\",\"room_alias_name\":\"town-square\"}");
        String alias = "#town-square:" + hs.serverName();
        assertEquals(alias, rooms.stateEvent(alice, roomId, "m.room.canonical_alias", "").path("content")
                .path("alias").asText());
        JsonNode resolved = rooms.ok(alice, "GET", V3 + "/directory/room/" + Rooms.enc(alias), null);
        assertEquals(roomId, resolved.path("room_id").asText());
        assertEquals("public", rooms.ok(alice, "GET", V3 + "/directory/list/room/" + Rooms.enc(roomId), null)
                .path("visibility").asText());
        assertEquals("public", rooms.stateEvent(alice, roomId, "m.room.join_rules", "").path("content")
                .path("join_rule").asText(), "visibility public implies public_chat");

        rooms.fails(400, "M_ROOM_IN_USE", bob, "POST", V3 + "/createRoom", obj().put("room_alias_name", "town-square"));
        rooms.fails(400, "M_INVALID_PARAM", bob, "POST", V3 + "/createRoom", obj().put("room_alias_name", "a:b"));
    }

    @Test
    void refusesUnknownVersionsPresetsAndBadBodies() {
        rooms.fails(400, "M_UNSUPPORTED_ROOM_VERSION", alice, "POST", V3 + "/createRoom", "{\"room_version\":\"99\"}");
        rooms.fails(400, "M_BAD_JSON", alice, "POST", V3 + "/createRoom", "{\"preset\":\"party\"}");
        rooms.fails(400, "M_BAD_JSON", alice, "POST", V3 + "/createRoom", "{\"invite\":\"not a list\"}");
        rooms.fails(400, "M_BAD_JSON", alice, "POST", V3 + "/createRoom", "[1]");
        rooms.fails(400, "M_NOT_JSON", alice, "POST", V3 + "/createRoom", "{not json");
        rooms.fails(400, "M_INVALID_PARAM", alice, "POST", V3 + "/createRoom", "{\"invite\":[\"bob\"]}");
        rooms.fails(400, "M_BAD_JSON", alice, "POST", V3 + "/createRoom", "{\"initial_state\":[{\"content\":{}}]}");
        assertEquals(401, hs.request("POST", V3 + "/createRoom", "{}").statusCode());
    }

    @Test
    void powerLevelsThatForbidTheCreatorAreInvalidRoomState() {
        rooms.fails(400, "M_INVALID_ROOM_STATE", alice, "POST", V3 + "/createRoom",
                "{\"room_version\":\"11\",\"name\":\"x\",\"power_level_content_override\":"
                        + "{\"users\":{},\"users_default\":0,\"state_default\":100,\"events\":{}}}");
    }
}
