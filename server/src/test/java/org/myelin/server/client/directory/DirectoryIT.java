package org.myelin.server.client.directory;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.myelin.server.testing.TestHomeserver.enc;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Room aliases and the published room directory. */
class DirectoryIT {

    static final String V3 = "/_matrix/client/v3";
    static TestHomeserver hs;
    static TestUser alice;
    static TestUser bob;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }



    static String createRoom(TestUser user, String body) {
        return hs.expect(200, user, "POST", V3 + "/createRoom", body).path("room_id").asText();
    }

    static String alias(String localpart) {
        return "#" + localpart + ":" + hs.serverName();
    }

    @Test
    void aliasLifecycle() {
        String roomId = createRoom(alice, "{}");
        String path = V3 + "/directory/room/" + enc(alias("lifecycle"));
        hs.expect(200, alice, "PUT", path, "{\"room_id\":\"" + roomId + "\"}");
        assertEquals("M_UNKNOWN", hs.expect(409, alice, "PUT", path, "{\"room_id\":\"" + roomId + "\"}").path("errcode").asText());
        JsonNode resolved = hs.expect(200, null, "GET", path, null);
        assertEquals(roomId, resolved.path("room_id").asText());
        assertEquals(List.of(hs.serverName()), strings(resolved.path("servers")));
        assertEquals(List.of(alias("lifecycle")), strings(hs.expect(200, alice, "GET",
                V3 + "/rooms/" + enc(roomId) + "/aliases", null).path("aliases")));
        assertEquals("M_FORBIDDEN", hs.expect(403, bob, "GET", V3 + "/rooms/" + enc(roomId) + "/aliases", null)
                .path("errcode").asText());
        assertEquals("M_FORBIDDEN", hs.expect(403, bob, "DELETE", path, null).path("errcode").asText());
        hs.expect(200, alice, "DELETE", path, null);
        assertEquals("M_NOT_FOUND", hs.expect(404, null, "GET", path, null).path("errcode").asText());
        assertEquals("M_NOT_FOUND", hs.expect(404, alice, "DELETE", path, null).path("errcode").asText());
    }

    @Test
    void aliasErrors() {
        String roomId = createRoom(alice, "{}");
        assertEquals("M_INVALID_PARAM", hs.expect(400, alice, "PUT", V3 + "/directory/room/" + enc("#x:other.example"),
                "{\"room_id\":\"" + roomId + "\"}").path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, alice, "PUT", V3 + "/directory/room/" + enc("nohash"),
                "{\"room_id\":\"" + roomId + "\"}").path("errcode").asText());
        assertEquals("M_FORBIDDEN", hs.expect(403, bob, "PUT", V3 + "/directory/room/" + enc(alias("notin")),
                "{\"room_id\":\"" + roomId + "\"}").path("errcode").asText());
        assertEquals("M_MISSING_PARAM", hs.expect(400, alice, "PUT", V3 + "/directory/room/" + enc(alias("nobody")),
                "{}").path("errcode").asText());
        assertEquals("M_NOT_FOUND", hs.expect(404, alice, "PUT", V3 + "/directory/room/" + enc(alias("ghost")),
                "{\"room_id\":\"!ghost:" + hs.serverName() + "\"}").path("errcode").asText());
        assertEquals("M_NOT_FOUND", hs.expect(404, alice, "GET", V3 + "/directory/room/" + enc("#x:other.example"), null)
                .path("errcode").asText());
    }

    @Test
    void deletingTheCanonicalAliasUpdatesTheRoomAndNeedsPower() {
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\",\"room_alias_name\":\"canonical\"}");
        hs.expect(200, bob, "POST", V3 + "/rooms/" + enc(roomId) + "/join", "{}");
        String bobs = alias("bobs-name");
        hs.expect(200, bob, "PUT", V3 + "/directory/room/" + enc(bobs), "{\"room_id\":\"" + roomId + "\"}");
        hs.expect(200, bob, "DELETE", V3 + "/directory/room/" + enc(bobs), null);
        assertEquals("M_FORBIDDEN", hs.expect(403, bob, "DELETE", V3 + "/directory/room/" + enc(alias("canonical")), null)
                .path("errcode").asText());
        hs.expect(200, alice, "DELETE", V3 + "/directory/room/" + enc(alias("canonical")), null);
        JsonNode canonical = hs.expect(200, alice, "GET", V3 + "/rooms/" + enc(roomId) + "/state/m.room.canonical_alias/", null);
        assertFalse(canonical.has("alias"), canonical.toString());
    }

    @Test
    void publishedRoomsAreListedAndFiltered() {
        String pub = createRoom(alice, "{\"visibility\":\"public\",\"name\":\"Gardening club\",\"topic\":\"Roses\","
                + "\"room_alias_name\":\"garden\"}");
        hs.expect(200, bob, "POST", V3 + "/rooms/" + enc(pub) + "/join", "{}");
        String hidden = createRoom(alice, "{\"preset\":\"public_chat\",\"name\":\"Unlisted\"}");
        String space = createRoom(alice, "{\"visibility\":\"public\",\"name\":\"A space\","
                + "\"creation_content\":{\"type\":\"m.space\"}}");
        assertEquals("private", hs.expect(200, null, "GET", V3 + "/directory/list/room/" + enc(hidden), null)
                .path("visibility").asText());

        JsonNode list = hs.expect(200, null, "GET", V3 + "/publicRooms", null);
        Set<String> listed = new HashSet<>();
        list.path("chunk").forEach(r -> listed.add(r.path("room_id").asText()));
        assertTrue(listed.containsAll(Set.of(pub, space)), list.toString());
        assertFalse(listed.contains(hidden));
        JsonNode garden = null;
        int previous = Integer.MAX_VALUE;
        for (JsonNode room : list.path("chunk")) {
            assertTrue(room.path("num_joined_members").asInt() <= previous, "largest rooms first");
            previous = room.path("num_joined_members").asInt();
            garden = room.path("room_id").asText().equals(pub) ? room : garden;
        }
        assertEquals("Gardening club", garden.path("name").asText());
        assertEquals("Roses", garden.path("topic").asText());
        assertEquals(alias("garden"), garden.path("canonical_alias").asText());
        assertEquals(2, garden.path("num_joined_members").asInt());
        assertEquals("public", garden.path("join_rule").asText());
        assertFalse(garden.path("world_readable").asBoolean());
        assertFalse(garden.path("guest_can_join").asBoolean());

        JsonNode search = hs.expect(200, alice, "POST", V3 + "/publicRooms", "{\"filter\":{\"generic_search_term\":\"ROSES\"}}");
        assertEquals(List.of(pub), roomIds(search));
        JsonNode spaces = hs.expect(200, alice, "POST", V3 + "/publicRooms", "{\"filter\":{\"room_types\":[\"m.space\"]}}");
        assertEquals(List.of(space), roomIds(spaces));
        assertEquals("m.space", spaces.path("chunk").path(0).path("room_type").asText());
        JsonNode untyped = hs.expect(200, alice, "POST", V3 + "/publicRooms", "{\"filter\":{\"room_types\":[null]}}");
        assertFalse(roomIds(untyped).contains(space));
        assertEquals(401, hs.request("POST", V3 + "/publicRooms", "{}").statusCode());

        JsonNode first = hs.expect(200, null, "GET", V3 + "/publicRooms?limit=1", null);
        assertEquals(1, first.path("chunk").size());
        JsonNode second = hs.expect(200, null, "GET", V3 + "/publicRooms?limit=1&since=" + first.path("next_batch").asText(), null);
        assertEquals(first.path("next_batch").asText().isEmpty(), false);
        assertFalse(roomIds(first).equals(roomIds(second)));
        assertEquals("o0", second.path("prev_batch").asText());

        hs.expect(200, alice, "PUT", V3 + "/directory/list/room/" + enc(pub), "{\"visibility\":\"private\"}");
        assertFalse(roomIds(hs.expect(200, null, "GET", V3 + "/publicRooms", null)).contains(pub));
    }

    @Test
    void directoryVisibilityNeedsModeratorPower() {
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\"}");
        hs.expect(200, bob, "POST", V3 + "/rooms/" + enc(roomId) + "/join", "{}");
        assertEquals("M_FORBIDDEN", hs.expect(403, bob, "PUT", V3 + "/directory/list/room/" + enc(roomId),
                "{\"visibility\":\"public\"}").path("errcode").asText());
        assertEquals("M_INVALID_PARAM", hs.expect(400, alice, "PUT", V3 + "/directory/list/room/" + enc(roomId),
                "{\"visibility\":\"everyone\"}").path("errcode").asText());
        assertEquals("M_NOT_FOUND", hs.expect(404, alice, "GET", V3 + "/directory/list/room/"
                + enc("!nope:" + hs.serverName()), null).path("errcode").asText());
        hs.expect(200, alice, "PUT", V3 + "/directory/list/room/" + enc(roomId), "{\"visibility\":\"public\"}");
        assertEquals("public", hs.expect(200, null, "GET", V3 + "/directory/list/room/" + enc(roomId), null)
                .path("visibility").asText());
    }

    static List<String> roomIds(JsonNode response) {
        List<String> ids = new ArrayList<>();
        response.path("chunk").forEach(r -> ids.add(r.path("room_id").asText()));
        return ids;
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }

}
