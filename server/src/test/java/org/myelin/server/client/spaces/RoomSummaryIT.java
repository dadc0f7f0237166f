package org.myelin.server.client.spaces;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * {@code GET /_matrix/client/v1/room_summary/{roomIdOrAlias}}: rooms of this server from their
 * state, rooms of another Myelin through its federation hierarchy, by id or alias, with or without
 * an access token, and 404 for a room the requester may not see.
 */
class RoomSummaryIT {

    static final String V3 = "/_matrix/client/v3";
    static final String SUMMARY = "/_matrix/client/v1/room_summary/";
    static TestHomeserver a;
    static TestHomeserver b;
    static TestUser alice;
    static TestUser bob;
    static TestUser carol;

    @BeforeAll
    static void boot() {
        a = TestHomeserver.start();
        b = TestHomeserver.start();
        alice = a.registerUser("alice");
        bob = a.registerUser("bob");
        carol = b.registerUser("carol");
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
    }

    @Test
    void aPublicRoomOfThisServerIsSummarisedForMembersOthersAndTheUnauthenticated() {
        String roomId = create(a, alice, "{\"preset\":\"public_chat\",\"room_version\":\"11\",\"name\":\"Cheese\","
                + "\"topic\":\"Tasty\",\"room_alias_name\":\"cheese\",\"initial_state\":[{\"type\":\"m.room.encryption\","
                + "\"content\":{\"algorithm\":\"m.megolm.v1.aes-sha2\"}},{\"type\":\"m.room.avatar\","
                + "\"content\":{\"url\":\"mxc://example.org/cheese\"}}]}");
        String alias = "#cheese:" + a.serverName();

        JsonNode summary = a.expect(200, alice, "GET", SUMMARY + enc(roomId), null);
        assertEquals(roomId, summary.path("room_id").asText());
        assertEquals("Cheese", summary.path("name").asText());
        assertEquals("Tasty", summary.path("topic").asText());
        assertEquals(alias, summary.path("canonical_alias").asText());
        assertEquals("mxc://example.org/cheese", summary.path("avatar_url").asText());
        assertEquals(1, summary.path("num_joined_members").asInt());
        assertEquals("public", summary.path("join_rule").asText());
        assertFalse(summary.path("world_readable").asBoolean());
        assertFalse(summary.path("guest_can_join").asBoolean());
        assertEquals("11", summary.path("room_version").asText());
        assertEquals("m.megolm.v1.aes-sha2", summary.path("encryption").asText());
        assertFalse(summary.has("room_type"));
        assertEquals("join", summary.path("membership").asText());

        assertEquals("leave", a.expect(200, bob, "GET", SUMMARY + enc(roomId), null).path("membership").asText());
        JsonNode anonymous = a.expect(200, null, "GET", SUMMARY + enc(roomId), null);
        assertEquals("Cheese", anonymous.path("name").asText());
        assertFalse(anonymous.has("membership"), anonymous.toString());
        assertEquals(roomId, a.expect(200, null, "GET", SUMMARY + enc(alias), null).path("room_id").asText());
        assertEquals(roomId, a.expect(200, alice, "GET", "/_matrix/client/unstable/im.nheko.summary/rooms/"
                + enc(roomId) + "/summary", null).path("room_id").asText());
        var badToken = a.authed("not-a-token", "GET", SUMMARY + enc(roomId), null);
        assertEquals(401, badToken.statusCode(), "a bad token is not taken for none");
        assertEquals("M_UNKNOWN_TOKEN", TestHomeserver.json(badToken).path("errcode").asText());
    }

    @Test
    void aSpaceSaysItsType() {
        String space = create(a, alice, "{\"preset\":\"public_chat\",\"creation_content\":{\"type\":\"m.space\"}}");
        assertEquals("m.space", a.expect(200, alice, "GET", SUMMARY + enc(space), null).path("room_type").asText());
    }

    @Test
    void aRoomTheRequesterMayNotSeeIsNotFound() {
        String hidden = create(a, alice, "{\"preset\":\"private_chat\",\"name\":\"Hidden\"}");
        assertEquals("M_NOT_FOUND", a.expect(404, bob, "GET", SUMMARY + enc(hidden), null).path("errcode").asText());
        assertEquals("M_NOT_FOUND", a.expect(404, null, "GET", SUMMARY + enc(hidden), null).path("errcode").asText());
        a.expect(200, alice, "POST", V3 + "/rooms/" + enc(hidden) + "/invite", "{\"user_id\":\"" + bob.userId() + "\"}");
        JsonNode invited = a.expect(200, bob, "GET", SUMMARY + enc(hidden), null);
        assertEquals("Hidden", invited.path("name").asText());
        assertEquals("invite", invited.path("membership").asText());

        String readable = create(a, alice, "{\"preset\":\"private_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.history_visibility\",\"content\":{\"history_visibility\":\"world_readable\"}}]}");
        assertTrue(a.expect(200, null, "GET", SUMMARY + enc(readable), null).path("world_readable").asBoolean());
        assertEquals("M_NOT_FOUND", a.expect(404, alice, "GET", SUMMARY + enc("!unknown:" + a.serverName()), null)
                .path("errcode").asText());
        assertEquals("M_NOT_FOUND", a.expect(404, alice, "GET", SUMMARY + enc("#nobody:" + a.serverName()), null)
                .path("errcode").asText());
        assertEquals("M_INVALID_PARAM", a.expect(400, alice, "GET", SUMMARY + "neither", null).path("errcode").asText());
    }

    @Test
    void aRoomOfAnotherServerIsSummarisedByThatServer() {
        String remote = create(b, carol, "{\"preset\":\"public_chat\",\"name\":\"Over there\",\"room_alias_name\":\"there\"}");
        JsonNode summary = a.expect(200, alice, "GET", SUMMARY + enc(remote) + "?via=" + enc(b.serverName()), null);
        assertEquals(remote, summary.path("room_id").asText());
        assertEquals("Over there", summary.path("name").asText());
        assertEquals(1, summary.path("num_joined_members").asInt());
        assertEquals("leave", summary.path("membership").asText());
        assertEquals("Over there", a.expect(200, null, "GET", SUMMARY + enc("#there:" + b.serverName()), null)
                .path("name").asText(), "an alias of the other server names the servers to ask");

        String secret = create(b, carol, "{\"preset\":\"private_chat\",\"name\":\"Secret\"}");
        assertEquals("M_NOT_FOUND", a.expect(404, alice, "GET", SUMMARY + enc(secret) + "?via=" + enc(b.serverName()),
                null).path("errcode").asText());
    }

    private static String create(TestHomeserver hs, TestUser user, String body) {
        return hs.expect(200, user, "POST", V3 + "/createRoom", body).path("room_id").asText();
    }
}
