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
import static org.myelin.server.client.rooms.Rooms.enc;
import static org.myelin.server.client.rooms.Rooms.obj;
import static org.myelin.server.client.rooms.Rooms.room;

/** Joining, inviting, leaving, forgetting, kicking, banning; joined rooms and member lists. */
class MembershipIT {

    static TestHomeserver hs;
    static Rooms rooms;
    static TestUser alice;
    static TestUser bob;
    static TestUser carol;

    @BeforeAll
    static void boot() {
        hs = TestHomeserver.start();
        rooms = new Rooms(hs);
        alice = hs.registerUser("alice");
        bob = hs.registerUser("bob");
        carol = hs.registerUser("carol");
    }

    @AfterAll
    static void stop() {
        hs.close();
    }

    static String membership(String roomId, TestUser user) {
        return rooms.stateEvent(alice, roomId, "m.room.member", user.userId()).path("content").path("membership").asText();
    }

    static List<String> joinedRooms(TestUser user) {
        List<String> ids = new ArrayList<>();
        rooms.ok(user, "GET", V3 + "/joined_rooms", null).path("joined_rooms").forEach(n -> ids.add(n.asText()));
        return ids;
    }

    @Test
    void joinsPublicRoomButNotInviteOnlyRoomWithoutInvite() {
        String open = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        assertEquals(open, rooms.join(bob, open).path("room_id").asText());
        assertEquals("join", membership(open, bob));
        assertTrue(joinedRooms(bob).contains(open));

        String closed = rooms.create(alice, "{}");
        rooms.fails(403, "M_FORBIDDEN", bob, "POST", room(closed) + "/join", obj());
        rooms.invite(alice, closed, bob);
        rooms.join(bob, closed);
        assertEquals("join", membership(closed, bob));
    }

    @Test
    void joiningTwiceMakesNoSecondEvent() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        String first = rooms.stateEvent(bob, roomId, "m.room.member", bob.userId()).path("event_id").asText();
        rooms.join(bob, roomId);
        assertEquals(first, rooms.stateEvent(bob, roomId, "m.room.member", bob.userId()).path("event_id").asText());
    }

    @Test
    void joinsByAliasAndRefusesUnknownRooms() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\",\"room_alias_name\":\"joinme\"}");
        JsonNode joined = rooms.ok(carol, "POST", V3 + "/join/" + enc("#joinme:" + hs.serverName()), obj());
        assertEquals(roomId, joined.path("room_id").asText());
        assertEquals("join", membership(roomId, carol));
        rooms.fails(404, "M_NOT_FOUND", carol, "POST", V3 + "/join/" + enc("#nothing:" + hs.serverName()), obj());
        rooms.fails(404, "M_NOT_FOUND", carol, "POST", V3 + "/join/" + enc("!unknown:elsewhere.example"), obj());
        rooms.fails(400, "M_INVALID_PARAM", carol, "POST", V3 + "/join/" + enc("not-a-room"), obj());
    }

    @Test
    void leaveKeepsReasonAndForgetNeedsLeaving() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        rooms.fails(400, "M_UNKNOWN", bob, "POST", room(roomId) + "/forget", obj());
        rooms.ok(bob, "POST", room(roomId) + "/leave", obj().put("reason", "off to bed"));
        JsonNode leave = rooms.stateEvent(alice, roomId, "m.room.member", bob.userId()).path("content");
        assertEquals("leave", leave.path("membership").asText());
        assertEquals("off to bed", leave.path("reason").asText());
        assertFalse(joinedRooms(bob).contains(roomId));
        rooms.ok(bob, "POST", room(roomId) + "/forget", obj());
        assertTrue(hs.homeserver().clientRooms().forgotten.isForgotten(bob.userId(), roomId));
        rooms.join(bob, roomId);
        assertFalse(hs.homeserver().clientRooms().forgotten.isForgotten(bob.userId(), roomId),
                "a new membership brings a forgotten room back");
        rooms.fails(403, "M_FORBIDDEN", carol, "POST", room(roomId) + "/leave", obj());
    }

    @Test
    void kickNeedsPowerAboveTheTarget() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\",\"room_version\":\"11\","
                + "\"power_level_content_override\":{\"users\":{\"" + alice.userId() + "\":100,\"" + bob.userId() + "\":50}}}");
        rooms.join(bob, roomId);
        rooms.join(carol, roomId);
        rooms.fails(403, "M_FORBIDDEN", bob, "POST", room(roomId) + "/kick", obj().put("user_id", alice.userId()));
        rooms.fails(403, "M_FORBIDDEN", carol, "POST", room(roomId) + "/kick", obj().put("user_id", bob.userId()));
        rooms.ok(bob, "POST", room(roomId) + "/kick", obj().put("user_id", carol.userId()).put("reason", "spam"));
        JsonNode kick = rooms.stateEvent(alice, roomId, "m.room.member", carol.userId());
        assertEquals("leave", kick.path("content").path("membership").asText());
        assertEquals("spam", kick.path("content").path("reason").asText());
        assertEquals(bob.userId(), kick.path("sender").asText());
        rooms.fails(400, "M_MISSING_PARAM", alice, "POST", room(roomId) + "/kick", obj());
        rooms.fails(400, "M_INVALID_PARAM", alice, "POST", room(roomId) + "/kick", obj().put("user_id", "carol"));
    }

    @Test
    void bannedUserCannotJoinUntilUnbanned() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(carol, roomId);
        rooms.ok(alice, "POST", room(roomId) + "/ban", obj().put("user_id", carol.userId()).put("reason", "rude"));
        JsonNode ban = rooms.stateEvent(alice, roomId, "m.room.member", carol.userId()).path("content");
        assertEquals("ban", ban.path("membership").asText());
        assertEquals("rude", ban.path("reason").asText());
        rooms.fails(403, "M_FORBIDDEN", carol, "POST", room(roomId) + "/join", obj());
        rooms.fails(403, "M_BAD_STATE", alice, "POST", room(roomId) + "/kick", obj().put("user_id", carol.userId()));
        rooms.fails(403, "M_BAD_STATE", alice, "POST", room(roomId) + "/unban", obj().put("user_id", bob.userId()));
        rooms.fails(403, "M_FORBIDDEN", bob, "POST", room(roomId) + "/ban", obj().put("user_id", alice.userId()));
        rooms.ok(alice, "POST", room(roomId) + "/unban", obj().put("user_id", carol.userId()));
        assertEquals("leave", membership(roomId, carol));
        rooms.join(carol, roomId);
    }

    @Test
    void membersListFiltersByMembershipAndTime() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        JsonNode before = rooms.ok(bob, "GET", room(roomId) + "/messages?dir=b&limit=1", null);
        String at = before.path("start").asText();
        rooms.invite(alice, roomId, carol);
        rooms.leave(bob, roomId);

        assertEquals(List.of(alice.userId(), bob.userId(), carol.userId()), members(alice, roomId, ""));
        assertEquals(List.of(alice.userId()), members(alice, roomId, "?membership=join"));
        assertEquals(List.of(alice.userId(), carol.userId()), members(alice, roomId, "?not_membership=leave"));
        assertEquals(List.of(alice.userId(), carol.userId()), members(alice, roomId, "?membership=join&not_membership=leave"));
        assertEquals(List.of(alice.userId(), bob.userId()), members(alice, roomId, "?at=" + enc(at)));
        // Bob left: he sees the members as of his leave (Carol was invited before it).
        assertEquals(List.of(alice.userId(), bob.userId(), carol.userId()), members(bob, roomId, ""));
        rooms.fails(403, "M_FORBIDDEN", hs.registerUser("dave"), "GET", room(roomId) + "/members", null);

        JsonNode joined = rooms.ok(alice, "GET", room(roomId) + "/joined_members", null).path("joined");
        assertEquals(1, joined.size());
        assertTrue(joined.has(alice.userId()));
        // Both keys, null when the member event has none (Synapse; matrix-nio's schema requires them).
        assertEquals("alice", joined.at("/" + alice.userId() + "/display_name").asText(), joined::toString);
        assertTrue(joined.get(alice.userId()).has("avatar_url"), joined::toString);
        assertTrue(joined.get(alice.userId()).get("avatar_url").isNull(), joined::toString);
        rooms.fails(403, "M_FORBIDDEN", bob, "GET", room(roomId) + "/joined_members", null);
        rooms.fails(404, "M_NOT_FOUND", bob, "GET", room("!nowhere:" + hs.serverName()) + "/members", null);
    }

    @Test
    void inviteOfJoinedUserIsRefusedAndGuestlessInviteNeedsPower() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        rooms.fails(403, "M_FORBIDDEN", alice, "POST", room(roomId) + "/invite", obj().put("user_id", bob.userId()));
        rooms.fails(403, "M_FORBIDDEN", bob, "POST", room(roomId) + "/invite", obj().put("user_id", carol.userId()));
        rooms.fails(502, "M_UNKNOWN", alice, "POST", room(roomId) + "/invite", obj().put("user_id", "@x:other.example"));
    }

    static List<String> members(TestUser user, String roomId, String query) {
        List<String> ids = new ArrayList<>();
        rooms.ok(user, "GET", room(roomId) + "/members" + query, null).path("chunk")
                .forEach(e -> ids.add(e.path("state_key").asText()));
        ids.sort(String::compareTo);
        return ids;
    }

    /** As Synapse: what a join body carries besides reason (a per-room name, a client's key) is in the event. */
    @Test
    void extraFieldsOfAJoinBodyGoIntoTheMemberEvent() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.ok(bob, "POST", room(roomId) + "/join", obj().put("reason", "hello").put("org.example.badge", "gold")
                .put("displayname", "Bob in here").put("join_authorised_via_users_server", alice.userId()));
        JsonNode bobs = rooms.stateEvent(alice, roomId, "m.room.member", bob.userId()).path("content");
        assertEquals("join", bobs.path("membership").asText(), bobs::toString);
        assertEquals("hello", bobs.path("reason").asText(), bobs::toString);
        assertEquals("gold", bobs.path("org.example.badge").asText(), bobs::toString);
        assertEquals("Bob in here", bobs.path("displayname").asText(), bobs::toString);
        assertFalse(bobs.has("join_authorised_via_users_server"), "only a resident server signs that: " + bobs);

        rooms.ok(carol, "POST", V3 + "/join/" + enc(roomId), obj().put("membership", "ban")
                .put("org.example.badge", "silver"));
        JsonNode carols = rooms.stateEvent(alice, roomId, "m.room.member", carol.userId()).path("content");
        assertEquals("join", carols.path("membership").asText(), "the body cannot change the membership");
        assertEquals("silver", carols.path("org.example.badge").asText(), carols::toString);
        assertEquals("carol", carols.path("displayname").asText(), "the global profile where the body has none");
    }

    /** The sender must be in the room (auth rules); the kicked must be in it too (Synapse). */
    @Test
    void kickingOrBanningFromARoomOneIsNotInIs403() {
        String roomId = rooms.create(alice, "{\"preset\":\"public_chat\"}");
        rooms.join(bob, roomId);
        rooms.fails(403, "M_FORBIDDEN", carol, "POST", room(roomId) + "/kick", obj().put("user_id", bob.userId()));
        rooms.fails(403, "M_FORBIDDEN", carol, "POST", room(roomId) + "/ban", obj().put("user_id", bob.userId()));
        assertEquals("join", membership(roomId, bob));
        rooms.fails(403, "M_FORBIDDEN", alice, "POST", room(roomId) + "/kick", obj().put("user_id", carol.userId()));
        rooms.leave(bob, roomId);
        rooms.fails(403, "M_FORBIDDEN", alice, "POST", room(roomId) + "/kick", obj().put("user_id", bob.userId()));
        // A ban needs no membership: one may be banned before ever joining.
        rooms.ok(alice, "POST", room(roomId) + "/ban", obj().put("user_id", carol.userId()));
        assertEquals("ban", membership(roomId, carol));
    }
}
