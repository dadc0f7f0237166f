package org.myelin.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * The room side of the admin API: listing and reading rooms the admin is not in, blocking,
 * make_room_admin, and deleting a room (members moved out, aliases and directory entry gone, every
 * row of it purged).
 */
class AdminRoomsIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final String ROOMS = "/_synapse/admin/v1/rooms";
    private static TestHomeserver hs;
    private static TestUser admin;
    private static TestUser owner;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        admin = Admins.admin(hs, "admin");
        owner = hs.registerUser("owner");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    private static String createRoom(TestUser creator, String body) {
        return hs.expect(200, creator, "POST", V3 + "/createRoom", body).path("room_id").asText();
    }

    @Test
    void listsAndDescribesRoomsTheAdminIsNotIn() {
        TestUser member = hs.registerUser("lister");
        String alpha = createRoom(owner, "{\"name\":\"Alpha listing\",\"preset\":\"public_chat\",\"visibility\":\"public\","
                + "\"room_alias_name\":\"alpha-listing\",\"topic\":\"first\"}");
        String beta = createRoom(owner, "{\"name\":\"Beta listing\",\"initial_state\":[{\"type\":\"m.room.encryption\","
                + "\"state_key\":\"\",\"content\":{\"algorithm\":\"m.megolm.v1.aes-sha2\"}}]}");
        hs.expect(200, member, "POST", V3 + "/join/" + enc(alpha), "{}");

        JsonNode page = hs.expect(200, admin, "GET", ROOMS + "?search_term=listing", null);
        assertEquals(2, page.path("total_rooms").asInt());
        assertEquals(0, page.path("offset").asInt());
        JsonNode first = page.path("rooms").get(0);
        assertEquals(alpha, first.path("room_id").asText());
        assertEquals("Alpha listing", first.path("name").asText());
        assertEquals("#alpha-listing:" + hs.serverName(), first.path("canonical_alias").asText());
        assertEquals(2, first.path("joined_members").asInt());
        assertEquals(2, first.path("joined_local_members").asInt());
        assertEquals(owner.userId(), first.path("creator").asText());
        assertTrue(first.path("public").asBoolean());
        assertTrue(first.path("federatable").asBoolean());
        assertEquals("public", first.path("join_rules").asText());
        assertTrue(first.path("encryption").isNull());
        assertTrue(first.path("room_type").isNull());
        assertTrue(first.path("state_events").asInt() >= 6);
        assertFalse(first.path("version").asText().isEmpty());
        assertEquals("m.megolm.v1.aes-sha2", page.path("rooms").get(1).path("encryption").asText());

        JsonNode bySize = hs.expect(200, admin, "GET", ROOMS + "?search_term=listing&order_by=joined_members&limit=1",
                null);
        assertEquals(alpha, bySize.path("rooms").get(0).path("room_id").asText());
        assertEquals(1, bySize.path("next_batch").asInt());
        assertFalse(bySize.has("prev_batch"));
        JsonNode second = hs.expect(200, admin, "GET",
                ROOMS + "?search_term=listing&order_by=joined_members&limit=1&from=1", null);
        assertEquals(beta, second.path("rooms").get(0).path("room_id").asText());
        assertEquals(0, second.path("prev_batch").asInt());
        assertFalse(second.has("next_batch"));
        assertEquals(beta, hs.expect(200, admin, "GET", ROOMS + "?search_term=listing&dir=b", null)
                .path("rooms").get(0).path("room_id").asText());
        assertEquals(1, hs.expect(200, admin, "GET", ROOMS + "?search_term=listing&public_rooms=true", null)
                .path("total_rooms").asInt());
        assertEquals("M_INVALID_PARAM", hs.expect(400, admin, "GET", ROOMS + "?order_by=colour", null)
                .path("errcode").asText());

        JsonNode details = hs.expect(200, admin, "GET", ROOMS + "/" + enc(alpha), null);
        assertEquals("first", details.path("topic").asText());
        assertTrue(details.path("avatar").isNull());
        assertEquals(2, details.path("joined_local_devices").asInt());
        assertFalse(details.path("forgotten").asBoolean());
        assertFalse(details.path("tombstoned").asBoolean());
        assertEquals(404, hs.authed(admin.accessToken(), "GET", ROOMS + "/" + enc("!unknown:" + hs.serverName()), null)
                .statusCode());

        JsonNode members = hs.expect(200, admin, "GET", ROOMS + "/" + enc(alpha) + "/members", null);
        assertEquals(2, members.path("total").asInt());
        assertTrue(members.path("members").toString().contains(member.userId()));
        JsonNode state = hs.expect(200, admin, "GET", ROOMS + "/" + enc(alpha) + "/state", null).path("state");
        assertTrue(state.size() >= 6);
        JsonNode names = hs.expect(200, admin, "GET", ROOMS + "/" + enc(alpha) + "/state?type=m.room.name", null)
                .path("state");
        assertEquals(1, names.size());
        assertEquals("Alpha listing", names.get(0).path("content").path("name").asText());

        hs.expect(200, owner, "PUT", V3 + "/rooms/" + enc(beta) + "/send/m.room.message/x",
                "{\"msgtype\":\"m.text\",\"body\":\"secret plans\"}");
        JsonNode messages = hs.expect(200, admin, "GET", ROOMS + "/" + enc(beta) + "/messages?dir=b&limit=1", null);
        assertEquals("secret plans", messages.path("chunk").get(0).path("content").path("body").asText());
        assertFalse(messages.path("end").asText().isEmpty());
        JsonNode extremities = hs.expect(200, admin, "GET", ROOMS + "/" + enc(beta) + "/forward_extremities", null);
        assertEquals(1, extremities.path("count").asInt());
        assertEquals(messages.path("chunk").get(0).path("event_id").asText(),
                extremities.path("results").get(0).path("event_id").asText());
    }

    @Test
    void aBlockedRoomCannotBeJoined() {
        String roomId = createRoom(owner, "{\"preset\":\"public_chat\"}");
        TestUser joiner = hs.registerUser("blocked-joiner");
        String block = ROOMS + "/" + enc(roomId) + "/block";
        assertFalse(hs.expect(200, admin, "GET", block, null).path("block").asBoolean());
        assertTrue(hs.expect(200, admin, "PUT", block, "{\"block\":true}").path("block").asBoolean());
        JsonNode status = hs.expect(200, admin, "GET", block, null);
        assertTrue(status.path("block").asBoolean());
        assertEquals(admin.userId(), status.path("user_id").asText());
        assertEquals("M_FORBIDDEN", hs.expect(403, joiner, "POST", V3 + "/join/" + enc(roomId), "{}")
                .path("errcode").asText());
        hs.expect(200, admin, "PUT", block, "{\"block\":false}");
        hs.expect(200, joiner, "POST", V3 + "/join/" + enc(roomId), "{}");
        // A room unknown here may be blocked ahead.
        assertTrue(hs.expect(200, admin, "PUT", ROOMS + "/" + enc("!ahead:elsewhere.example") + "/block",
                "{\"block\":true}").path("block").asBoolean());
    }

    @Test
    void makeRoomAdminInvitesAndRaisesTheAdmin() {
        String roomId = createRoom(owner, "{\"preset\":\"private_chat\"}");
        hs.expect(200, admin, "POST", ROOMS + "/" + enc(roomId) + "/make_room_admin", "{}");
        JsonNode levels = hs.expect(200, owner, "GET", V3 + "/rooms/" + enc(roomId) + "/state/m.room.power_levels/",
                null);
        assertEquals(100, levels.path("users").path(admin.userId()).asInt());
        hs.expect(200, admin, "POST", V3 + "/join/" + enc(roomId), "{}"); // it was invited
        hs.expect(200, admin, "PUT", V3 + "/rooms/" + enc(roomId) + "/state/m.room.name/", "{\"name\":\"mine\"}");
        assertEquals(400, hs.authed(admin.accessToken(), "POST", ROOMS + "/" + enc(roomId) + "/make_room_admin",
                "{\"user_id\":\"@x:elsewhere.example\"}").statusCode());
    }

    @Test
    void deletingARoomMovesLocalMembersOutAndPurgesEveryRowOfIt() throws Exception {
        TestUser alice = hs.registerUser("doomed-alice");
        TestUser bob = hs.registerUser("doomed-bob");
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\",\"visibility\":\"public\","
                + "\"room_alias_name\":\"doomed\",\"name\":\"Doomed\"}");
        hs.expect(200, bob, "POST", V3 + "/join/" + enc(roomId), "{}");
        String message = hs.expect(200, bob, "PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/1",
                "{\"msgtype\":\"m.text\",\"body\":\"bad content\"}").path("event_id").asText();
        hs.expect(200, alice, "PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.reaction/2",
                "{\"m.relates_to\":{\"rel_type\":\"m.annotation\",\"event_id\":\"" + message + "\",\"key\":\"x\"}}");
        hs.expect(200, alice, "POST", V3 + "/rooms/" + enc(roomId) + "/receipt/m.read/" + enc(message), "{}");
        hs.expect(200, alice, "PUT", V3 + "/user/" + enc(alice.userId()) + "/rooms/" + enc(roomId) + "/tags/u.work",
                "{}");
        assertTrue(rowsOf(roomId).values().stream().anyMatch(n -> n > 0));

        String deleteId = hs.expect(200, admin, "DELETE", "/_synapse/admin/v2/rooms/" + enc(roomId),
                "{\"new_room_user_id\":\"" + admin.userId() + "\",\"room_name\":\"Violation\",\"message\":\"Moved\","
                        + "\"block\":true,\"purge\":true}").path("delete_id").asText();
        JsonNode status = awaitDone(deleteId);
        assertEquals("complete", status.path("status").asText(), status.toString());
        assertEquals(roomId, status.path("room_id").asText());
        JsonNode shutdown = status.path("shutdown_room");
        List<String> kicked = new ArrayList<>();
        shutdown.path("kicked_users").forEach(u -> kicked.add(u.asText()));
        assertEquals(List.of(alice.userId(), bob.userId()), kicked.stream().sorted().toList());
        assertEquals(0, shutdown.path("failed_to_kick_users").size());
        assertEquals("#doomed:" + hs.serverName(), shutdown.path("local_aliases").get(0).asText());
        String newRoom = shutdown.path("new_room_id").asText();
        assertNotEquals(roomId, newRoom);
        JsonNode byRoom = hs.expect(200, admin, "GET", "/_synapse/admin/v2/rooms/" + enc(roomId) + "/delete_status",
                null);
        assertEquals(deleteId, byRoom.path("results").get(0).path("delete_id").asText());

        // Every row of the room is gone; the members are in the new room; the alias points there.
        Map<String, Integer> left = rowsOf(roomId);
        left.values().removeIf(n -> n == 0);
        assertEquals(Map.of(), left);
        assertEquals(0, count("SELECT COUNT(*) FROM events WHERE event_id = ?", message));
        assertEquals(0, count("SELECT COUNT(*) FROM event_relations WHERE relates_to_id = ?", message));
        assertEquals(404, hs.authed(admin.accessToken(), "GET", ROOMS + "/" + enc(roomId), null).statusCode());
        JsonNode joined = hs.expect(200, bob, "GET", V3 + "/joined_rooms", null);
        assertEquals(List.of(newRoom), List.of(joined.path("joined_rooms").get(0).asText()));
        assertEquals(1, joined.path("joined_rooms").size());
        assertEquals(newRoom, hs.expect(200, bob, "GET", V3 + "/directory/room/" + enc("#doomed:" + hs.serverName()),
                null).path("room_id").asText());
        JsonNode newMessages = hs.expect(200, bob, "GET", V3 + "/rooms/" + enc(newRoom) + "/messages?dir=b&limit=20",
                null);
        assertTrue(newMessages.toString().contains("\"Moved\""), newMessages.toString());
        assertEquals(403, hs.authed(bob.accessToken(), "PUT", V3 + "/rooms/" + enc(newRoom)
                + "/send/m.room.message/3", "{\"msgtype\":\"m.text\",\"body\":\"hi\"}").statusCode(),
                "members of the new room cannot speak");
        assertFalse(hs.expect(200, bob, "GET", V3 + "/publicRooms", null).toString().contains(roomId));
        // Blocked: nobody gets back in.
        assertTrue(hs.expect(200, admin, "GET", ROOMS + "/" + enc(roomId) + "/block", null).path("block").asBoolean());
        // The sync of a former member goes on.
        hs.expect(200, alice, "GET", V3 + "/sync?timeout=0", null);
    }

    @Test
    void deletingWithoutPurgeKeepsTheRoomButEmptiesItOfLocalUsers() throws Exception {
        TestUser carl = hs.registerUser("kept-carl");
        String roomId = createRoom(carl, "{\"preset\":\"public_chat\",\"visibility\":\"public\","
                + "\"room_alias_name\":\"kept\"}");
        String deleteId = hs.expect(200, admin, "DELETE", "/_synapse/admin/v2/rooms/" + enc(roomId),
                "{\"purge\":false}").path("delete_id").asText();
        JsonNode status = awaitDone(deleteId);
        assertEquals("complete", status.path("status").asText(), status.toString());
        assertEquals(List.of(carl.userId()), List.of(status.path("shutdown_room").path("kicked_users").get(0).asText()));
        assertTrue(status.path("shutdown_room").path("new_room_id").isNull());
        JsonNode details = hs.expect(200, admin, "GET", ROOMS + "/" + enc(roomId), null);
        assertEquals(0, details.path("joined_members").asInt());
        assertFalse(details.path("public").asBoolean());
        assertTrue(details.path("forgotten").asBoolean());
        assertEquals(404, hs.authed(carl.accessToken(), "GET", V3 + "/directory/room/" + enc("#kept:" + hs.serverName()),
                null).statusCode());
        assertEquals(0, hs.expect(200, carl, "GET", V3 + "/joined_rooms", null).path("joined_rooms").size());

        assertEquals(400, hs.authed(admin.accessToken(), "DELETE", "/_synapse/admin/v2/rooms/not-a-room", "{}")
                .statusCode());
        assertEquals(400, hs.authed(admin.accessToken(), "DELETE", "/_synapse/admin/v2/rooms/" + enc(roomId),
                "{\"purge\":\"yes\"}").statusCode());
        assertEquals(404, hs.authed(admin.accessToken(), "GET", "/_synapse/admin/v2/rooms/delete_status/nope", null)
                .statusCode());
    }

    @Test
    void versionOneDeletesAtOnceAndAnswersTheShutdown() {
        TestUser dina = hs.registerUser("v1-dina");
        String roomId = createRoom(dina, "{\"preset\":\"public_chat\"}");
        JsonNode result = hs.expect(200, admin, "DELETE", ROOMS + "/" + enc(roomId), "{}");
        assertEquals(dina.userId(), result.path("kicked_users").get(0).asText());
        assertTrue(result.path("new_room_id").isNull());
        assertEquals(0, result.path("failed_to_kick_users").size());
        assertEquals(404, hs.authed(admin.accessToken(), "GET", ROOMS + "/" + enc(roomId), null).statusCode());
    }

    @Test
    void eventsAfterAPurgeReachTheSyncsThatHadSeenThePurgedRoom() {
        TestUser erin = hs.registerUser("purge-erin");
        TestUser fred = hs.registerUser("purge-fred");
        // The purged room holds the newest positions of the timeline, more of them than the next room takes.
        String doomed = createRoom(erin, "{\"preset\":\"public_chat\"}");
        for (int i = 0; i < 12; i++) {
            hs.expect(200, erin, "PUT", V3 + "/rooms/" + enc(doomed) + "/send/m.room.message/purged" + i,
                    "{\"msgtype\":\"m.text\",\"body\":\"soon gone\"}");
        }
        String since = hs.expect(200, fred, "GET", V3 + "/sync?timeout=0", null).path("next_batch").asText();
        hs.expect(200, admin, "DELETE", ROOMS + "/" + enc(doomed), "{}");

        String fresh = createRoom(erin, "{\"preset\":\"private_chat\"}");
        hs.expect(200, erin, "POST", V3 + "/rooms/" + enc(fresh) + "/invite", "{\"user_id\":\"" + fred.userId() + "\"}");
        JsonNode sync = hs.expect(200, fred, "GET", V3 + "/sync?timeout=0&since=" + enc(since), null);
        assertTrue(sync.path("rooms").path("invite").has(fresh),
                () -> "the invite, positioned after the token fred already had: " + sync);
    }

    /** Waits for the deletion to end (it runs in the background); fails after a minute. */
    private static JsonNode awaitDone(String deleteId) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            JsonNode status = hs.expect(200, admin, "GET", "/_synapse/admin/v2/rooms/delete_status/" + enc(deleteId),
                    null);
            String s = status.path("status").asText();
            if (s.equals("complete") || s.equals("failed")) {
                return status;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("deletion " + deleteId + " did not end");
    }

    /**
     * Rows naming the room in every table with a room_id column (found in the schema, so that a
     * table added later is checked too), but those kept on purpose: the block, and users' own key
     * backups (which Synapse keeps too).
     */
    private static Map<String, Integer> rowsOf(String roomId) throws SQLException {
        Map<String, Integer> rows = new TreeMap<>();
        try (Connection c = hs.homeserver().database().dataSource().getConnection();
             PreparedStatement tables = c.prepareStatement("SELECT table_name FROM information_schema.columns "
                     + "WHERE column_name = 'room_id' AND table_schema = current_schema()")) {
            try (ResultSet rs = tables.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    if (!List.of("blocked_rooms", "room_key_backup_keys").contains(table)) {
                        rows.put(table, 0);
                    }
                }
            }
            for (String table : rows.keySet()) {
                rows.put(table, count(c, "SELECT COUNT(*) FROM " + table + " WHERE room_id = ?", roomId));
            }
        }
        return rows;
    }

    private static int count(String sql, String arg) throws SQLException {
        try (Connection c = hs.homeserver().database().dataSource().getConnection()) {
            return count(c, sql, arg);
        }
    }

    private static int count(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
