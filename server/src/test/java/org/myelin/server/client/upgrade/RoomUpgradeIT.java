package org.myelin.server.client.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * {@code POST /rooms/{roomId}/upgrade}: the tombstone and the predecessor, the state and bans the
 * new room is given, aliases and the directory listing moved, members' push rules, tags and
 * direct chats carried over, the old room restricted, and who may upgrade.
 */
class RoomUpgradeIT {

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

    @Test
    void theReplacementRoomTakesOverStateAliasesDirectoryAndMembersSettings() {
        TestUser carol = hs.registerUser("carol-banned");
        String oldRoom = create(alice, "{\"preset\":\"public_chat\",\"visibility\":\"public\",\"room_version\":\"10\","
                + "\"room_alias_name\":\"upgraded\",\"name\":\"Before\",\"topic\":\"The topic\"}");
        String alias = "#upgraded:" + hs.serverName();
        String alt = "#upgraded-alt:" + hs.serverName();
        hs.expect(200, alice, "PUT", V3 + "/directory/room/" + enc(alt), "{\"room_id\":\"" + oldRoom + "\"}");
        state(alice, oldRoom, "m.room.canonical_alias", "", "{\"alias\":\"" + alias + "\",\"alt_aliases\":[\"" + alt
                + "\",\"#elsewhere:other.example\"]}");
        state(alice, oldRoom, "m.room.avatar", "", "{\"url\":\"mxc://example.org/avatar\"}");
        state(alice, oldRoom, "m.room.encryption", "", "{\"algorithm\":\"m.megolm.v1.aes-sha2\"}");
        state(alice, oldRoom, "m.room.server_acl", "", "{\"allow\":[\"*\"],\"deny\":[\"evil.example\"]}");
        state(alice, oldRoom, "m.room.guest_access", "", "{\"guest_access\":\"can_join\"}");
        state(alice, oldRoom, "org.example.custom", "", "{\"not\":\"copied\"}");
        join(bob, oldRoom);
        join(carol, oldRoom);
        hs.expect(200, alice, "POST", room(oldRoom) + "/ban", "{\"user_id\":\"" + carol.userId() + "\",\"reason\":\"spam\"}");
        JsonNode levelsBefore = stateContent(alice, oldRoom, "m.room.power_levels", "");

        // Bob's settings for the room: a room rule, an override rule naming it, a tag, a direct chat.
        hs.expect(200, bob, "PUT", V3 + "/pushrules/global/room/" + enc(oldRoom), "{\"actions\":[]}");
        hs.expect(200, bob, "PUT", V3 + "/pushrules/global/override/mute-it", "{\"conditions\":[{\"kind\":"
                + "\"event_match\",\"key\":\"room_id\",\"pattern\":\"" + oldRoom + "\"}],\"actions\":[]}");
        hs.expect(200, bob, "PUT", V3 + "/user/" + enc(bob.userId()) + "/rooms/" + enc(oldRoom) + "/tags/u.work",
                "{\"order\":0.25}");
        hs.expect(200, bob, "PUT", V3 + "/user/" + enc(bob.userId()) + "/account_data/m.direct",
                "{\"" + alice.userId() + "\":[\"" + oldRoom + "\"]}");

        String newRoom = upgrade(alice, oldRoom, "11");
        assertNotEquals(oldRoom, newRoom);

        JsonNode tombstone = stateEvent(alice, oldRoom, "m.room.tombstone", "");
        assertEquals(newRoom, tombstone.path("content").path("replacement_room").asText());
        assertEquals(alice.userId(), tombstone.path("sender").asText());
        JsonNode create = stateContent(alice, newRoom, "m.room.create", "");
        assertEquals("11", create.path("room_version").asText());
        assertEquals(oldRoom, create.path("predecessor").path("room_id").asText());
        assertEquals(tombstone.path("event_id").asText(), create.path("predecessor").path("event_id").asText());

        assertEquals("Before", stateContent(alice, newRoom, "m.room.name", "").path("name").asText());
        assertEquals("The topic", stateContent(alice, newRoom, "m.room.topic", "").path("topic").asText());
        assertEquals("mxc://example.org/avatar", stateContent(alice, newRoom, "m.room.avatar", "").path("url").asText());
        assertEquals("m.megolm.v1.aes-sha2", stateContent(alice, newRoom, "m.room.encryption", "").path("algorithm").asText());
        assertEquals("evil.example", stateContent(alice, newRoom, "m.room.server_acl", "").path("deny").get(0).asText());
        assertEquals("public", stateContent(alice, newRoom, "m.room.join_rules", "").path("join_rule").asText());
        assertEquals("shared", stateContent(alice, newRoom, "m.room.history_visibility", "")
                .path("history_visibility").asText());
        assertEquals("can_join", stateContent(alice, newRoom, "m.room.guest_access", "").path("guest_access").asText());
        assertEquals(404, hs.authed(alice.accessToken(), "GET", room(newRoom) + "/state/org.example.custom/", null)
                .statusCode(), "only the spec's transferable state is copied");
        assertEquals(levelsBefore, stateContent(alice, newRoom, "m.room.power_levels", ""));
        JsonNode ban = stateContent(alice, newRoom, "m.room.member", carol.userId());
        assertEquals("ban", ban.path("membership").asText());
        assertEquals("spam", ban.path("reason").asText());
        assertEquals("join", stateContent(alice, newRoom, "m.room.member", alice.userId()).path("membership").asText());
        assertEquals(404, hs.authed(alice.accessToken(), "GET", room(newRoom) + "/state/m.room.member/"
                + enc(bob.userId()), null).statusCode(), "members are not moved");

        assertEquals(newRoom, hs.expect(200, null, "GET", V3 + "/directory/room/" + enc(alias), null)
                .path("room_id").asText());
        assertEquals(newRoom, hs.expect(200, null, "GET", V3 + "/directory/room/" + enc(alt), null)
                .path("room_id").asText());
        JsonNode newCanonical = stateContent(alice, newRoom, "m.room.canonical_alias", "");
        assertEquals(alias, newCanonical.path("alias").asText());
        assertEquals(List.of(alt), strings(newCanonical.path("alt_aliases")));
        JsonNode oldCanonical = stateContent(alice, oldRoom, "m.room.canonical_alias", "");
        assertFalse(oldCanonical.has("alias"), oldCanonical.toString());
        assertEquals(List.of("#elsewhere:other.example"), strings(oldCanonical.path("alt_aliases")));

        assertEquals("private", hs.expect(200, null, "GET", V3 + "/directory/list/room/" + enc(oldRoom), null)
                .path("visibility").asText());
        assertEquals("public", hs.expect(200, null, "GET", V3 + "/directory/list/room/" + enc(newRoom), null)
                .path("visibility").asText());
        Set<String> listed = new HashSet<>();
        hs.expect(200, null, "GET", V3 + "/publicRooms", null).path("chunk")
                .forEach(r -> listed.add(r.path("room_id").asText()));
        assertTrue(listed.contains(newRoom) && !listed.contains(oldRoom), listed.toString());

        JsonNode oldLevels = stateContent(alice, oldRoom, "m.room.power_levels", "");
        assertEquals(50, oldLevels.path("events_default").asInt());
        assertEquals(50, oldLevels.path("invite").asInt());
        assertEquals("M_FORBIDDEN", hs.expect(403, bob, "PUT", room(oldRoom) + "/send/m.room.message/t1",
                "{\"msgtype\":\"m.text\",\"body\":\"too late\"}").path("errcode").asText());

        JsonNode roomRule = hs.expect(200, bob, "GET", V3 + "/pushrules/global/room/" + enc(newRoom), null);
        assertEquals(0, roomRule.path("actions").size());
        JsonNode override = hs.expect(200, bob, "GET", V3 + "/pushrules/global/override/" + enc(newRoom), null);
        assertEquals(newRoom, override.path("conditions").get(0).path("pattern").asText());
        assertTrue(hs.expect(200, bob, "GET", V3 + "/user/" + enc(bob.userId()) + "/rooms/" + enc(newRoom) + "/tags",
                null).path("tags").has("u.work"));
        assertEquals(List.of(oldRoom, newRoom), strings(hs.expect(200, bob, "GET", V3 + "/user/" + enc(bob.userId())
                + "/account_data/m.direct", null).path(alice.userId())));
    }

    @Test
    void anUpgraderBelowTheStateLevelsIsRaisedToCopyThemThenPutBack() {
        String oldRoom = create(alice, "{\"preset\":\"private_chat\",\"room_version\":\"10\",\"name\":\"Raised\"}");
        hs.expect(200, alice, "POST", room(oldRoom) + "/invite", "{\"user_id\":\"" + bob.userId() + "\"}");
        join(bob, oldRoom);
        ObjectNode levels = (ObjectNode) stateContent(alice, oldRoom, "m.room.power_levels", "");
        ((ObjectNode) levels.path("users")).put(bob.userId(), 60);
        ((ObjectNode) levels.path("events")).put("m.room.tombstone", 60);
        state(alice, oldRoom, "m.room.power_levels", "", levels.toString());

        String newRoom = upgrade(bob, oldRoom, "11");

        // history_visibility needs 100: bob (60) could not have sent it without being raised.
        assertEquals("shared", stateContent(bob, newRoom, "m.room.history_visibility", "")
                .path("history_visibility").asText());
        assertEquals("Raised", stateContent(bob, newRoom, "m.room.name", "").path("name").asText());
        assertEquals(levels, stateContent(bob, newRoom, "m.room.power_levels", ""));
        assertEquals(60, stateContent(bob, newRoom, "m.room.power_levels", "").path("users").path(bob.userId()).asInt());
    }

    @Test
    void upgradingToVersion12NamesNoTombstoneAndLeavesCreatorsOutOfThePowerLevels() {
        TestUser dave = hs.registerUser("dave-creator");
        String oldRoom = create(alice, "{\"preset\":\"public_chat\",\"room_version\":\"11\"}");
        join(dave, oldRoom);
        String newRoom = upgrade(alice, oldRoom, "12", "{\"new_version\":\"12\",\"additional_creators\":[\""
                + dave.userId() + "\"]}");
        JsonNode create = stateEvent(alice, newRoom, "m.room.create", "");
        assertEquals("12", create.path("content").path("room_version").asText());
        assertEquals(oldRoom, create.path("content").path("predecessor").path("room_id").asText());
        assertFalse(create.path("content").path("predecessor").has("event_id"));
        assertEquals(List.of(dave.userId()), strings(create.path("content").path("additional_creators")));
        assertEquals(newRoom, stateContent(alice, oldRoom, "m.room.tombstone", "").path("replacement_room").asText());
        JsonNode users = stateContent(alice, newRoom, "m.room.power_levels", "").path("users");
        assertFalse(users.has(alice.userId()) || users.has(dave.userId()), users.toString());
    }

    @Test
    void anUpgradedSpaceKeepsItsTypeAndChildren() {
        String child = create(alice, "{\"preset\":\"public_chat\"}");
        String space = create(alice, "{\"preset\":\"public_chat\",\"room_version\":\"10\","
                + "\"creation_content\":{\"type\":\"m.space\"}}");
        state(alice, space, "m.space.child", child, "{\"via\":[\"" + hs.serverName() + "\"],\"suggested\":true}");
        state(alice, space, "m.space.child", "!gone:" + hs.serverName(), "{}");
        String newSpace = upgrade(alice, space, "11");
        assertEquals("m.space", stateContent(alice, newSpace, "m.room.create", "").path("type").asText());
        assertTrue(stateContent(alice, newSpace, "m.space.child", child).path("suggested").asBoolean());
        assertEquals(404, hs.authed(alice.accessToken(), "GET", room(newSpace) + "/state/m.space.child/"
                + enc("!gone:" + hs.serverName()), null).statusCode(), "a removed child is not copied");
    }

    @Test
    void onlyThoseWhoMaySendATombstoneUpgrade() {
        String roomId = create(alice, "{\"preset\":\"public_chat\"}");
        join(bob, roomId);
        assertEquals("M_FORBIDDEN", hs.expect(403, bob, "POST", room(roomId) + "/upgrade", "{\"new_version\":\"11\"}")
                .path("errcode").asText());
        assertEquals(404, hs.authed(alice.accessToken(), "GET", room(roomId) + "/state/m.room.tombstone/", null)
                .statusCode(), "a refused upgrade leaves the room as it was");
        TestUser outsider = hs.registerUser("outsider");
        assertEquals("M_FORBIDDEN", hs.expect(403, outsider, "POST", room(roomId) + "/upgrade",
                "{\"new_version\":\"11\"}").path("errcode").asText());
    }

    @Test
    void unknownVersionsRoomsAndBodiesAreRefused() {
        String roomId = create(alice, "{}");
        assertEquals("M_UNSUPPORTED_ROOM_VERSION", hs.expect(400, alice, "POST", room(roomId) + "/upgrade",
                "{\"new_version\":\"9000\"}").path("errcode").asText());
        assertEquals("M_MISSING_PARAM", hs.expect(400, alice, "POST", room(roomId) + "/upgrade", "{}")
                .path("errcode").asText());
        assertEquals("M_NOT_FOUND", hs.expect(404, alice, "POST", room("!nowhere:" + hs.serverName()) + "/upgrade",
                "{\"new_version\":\"11\"}").path("errcode").asText());
        assertEquals(401, hs.request("POST", room(roomId) + "/upgrade", "{\"new_version\":\"11\"}").statusCode());
    }

    @Test
    void concurrentUpgradesOfOneRoomMakeOneReplacement() throws Exception {
        String roomId = create(alice, "{\"preset\":\"public_chat\",\"room_version\":\"10\"}");
        List<String> replacements = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(threads.submit(() -> upgrade(alice, roomId, "11")));
            }
            for (Future<String> answer : answers) {
                replacements.add(answer.get());
            }
        }
        assertEquals(1, new HashSet<>(replacements).size(), replacements.toString());
        assertEquals(replacements.getFirst(), stateContent(alice, roomId, "m.room.tombstone", "")
                .path("replacement_room").asText());
        assertEquals(1, countRoomsReplacing(roomId), "one room names the old as its predecessor");
    }

    /** How many of alice's joined rooms name {@code roomId} as their predecessor. */
    private static int countRoomsReplacing(String roomId) {
        int count = 0;
        for (JsonNode joined : hs.expect(200, alice, "GET", V3 + "/joined_rooms", null).path("joined_rooms")) {
            JsonNode create = stateContent(alice, joined.asText(), "m.room.create", "");
            if (roomId.equals(create.path("predecessor").path("room_id").asText(null))) {
                count++;
            }
        }
        return count;
    }

    private static String create(TestUser user, String body) {
        return hs.expect(200, user, "POST", V3 + "/createRoom", body).path("room_id").asText();
    }

    private static String upgrade(TestUser user, String roomId, String version) {
        return upgrade(user, roomId, version, "{\"new_version\":\"" + version + "\"}");
    }

    private static String upgrade(TestUser user, String roomId, String version, String body) {
        String replacement = hs.expect(200, user, "POST", room(roomId) + "/upgrade", body)
                .path("replacement_room").asText();
        assertTrue(replacement.startsWith("!"), replacement);
        return replacement;
    }

    private static void join(TestUser user, String roomId) {
        hs.expect(200, user, "POST", room(roomId) + "/join", "{}");
    }

    private static void state(TestUser user, String roomId, String type, String stateKey, String content) {
        hs.expect(200, user, "PUT", room(roomId) + "/state/" + type + "/" + enc(stateKey), content);
    }

    private static JsonNode stateContent(TestUser user, String roomId, String type, String stateKey) {
        return hs.expect(200, user, "GET", room(roomId) + "/state/" + type + "/" + enc(stateKey), null);
    }

    private static JsonNode stateEvent(TestUser user, String roomId, String type, String stateKey) {
        return hs.expect(200, user, "GET", room(roomId) + "/state/" + type + "/" + enc(stateKey) + "?format=event",
                null);
    }

    private static String room(String roomId) {
        return V3 + "/rooms/" + enc(roomId);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
