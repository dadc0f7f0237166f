package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.server.http.Json;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.federation.MatrixClient.enc;
import static org.myelin.server.federation.MatrixClient.json;

/**
 * The resident side of the membership handshakes and the invitee side of invites, against a fake
 * remote server that completes (or forges) what it is given: what a Myelin answers and refuses
 * (server-server API, "Joining Rooms", "Leaving Rooms", "Inviting to a room", "Server Access
 * Control Lists").
 */
class MembershipHandshakeIT {

    static TestHomeserver hs;
    static FakeRemoteServer remote;
    static MatrixClient alice;

    @BeforeAll
    static void start() {
        hs = TestHomeserver.start();
        remote = FakeRemoteServer.start();
        alice = MatrixClient.register(hs, "alice");
    }

    @AfterAll
    static void stop() {
        remote.close();
        hs.close();
    }

    private static String makeJoinPath(String roomId, String userId, String... versions) {
        StringBuilder path = new StringBuilder("/_matrix/federation/v1/make_join/" + enc(roomId) + "/" + enc(userId));
        char sep = '?';
        for (String v : versions) {
            path.append(sep).append("ver=").append(v);
            sep = '&';
        }
        return path.toString();
    }

    /** The template completed and signed as the fake server's user would. */
    private static Pdu complete(JsonNode template) {
        ObjectNode event = ((ObjectNode) template.path("event")).deepCopy();
        event.put("origin_server_ts", System.currentTimeMillis());
        return remote.resign(event, RoomVersions.find(template.path("room_version").asText()).orElseThrow());
    }

    private static JsonNode ok(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return TestHomeserver.json(response);
    }

    @Test
    void aRemoteUserJoinsThroughMakeJoinAndSendJoin() {
        String roomId = alice.createRoom("{\"preset\":\"public_chat\",\"name\":\"Open\"}");
        String bob = remote.user("bob");

        JsonNode template = ok(remote.request(hs, "GET", makeJoinPath(roomId, bob, "11", "12"), null));
        assertEquals("12", template.path("room_version").asText());
        JsonNode event = template.path("event");
        assertEquals(bob, event.path("sender").asText());
        assertEquals(bob, event.path("state_key").asText());
        assertEquals("join", event.path("content").path("membership").asText());
        assertTrue(event.path("prev_events").size() > 0 && event.path("auth_events").size() > 0, event.toString());

        Pdu join = complete(template);
        JsonNode answer = ok(remote.request(hs, "PUT", "/_matrix/federation/v2/send_join/" + enc(roomId) + "/"
                + enc(join.eventId()), join.json()));
        assertEquals(false, answer.path("members_omitted").asBoolean(true));
        assertTrue(stream(answer.path("state")).anyMatch(e -> "m.room.create".equals(e.path("type").asText())));
        assertTrue(stream(answer.path("state")).anyMatch(e -> "m.room.name".equals(e.path("type").asText())));
        assertTrue(stream(answer.path("state")).noneMatch(e -> join.eventId().equals(eventId(e))),
                "the state before the join");
        assertTrue(answer.path("auth_chain").size() > 0);
        assertTrue(stream(answer.path("servers_in_room")).anyMatch(s -> hs.serverName().equals(s.asText())));
        assertEquals("join", alice.stateContent(roomId, "m.room.member", bob).path("membership").asText());
    }

    @Test
    void refusesATemplateForARoomVersionTheServerDoesNotSpeak() {
        String roomId = alice.createRoom("{\"preset\":\"public_chat\"}");
        HttpResponse<String> r = remote.request(hs, "GET", makeJoinPath(roomId, remote.user("old"), "1", "2"), null);
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("M_INCOMPATIBLE_ROOM_VERSION", TestHomeserverJson.errcode(r));
    }

    @Test
    void refusesJoinsTheRoomDoesNotAllowAndUsersOfOtherServers() {
        String closed = alice.createRoom("{\"preset\":\"private_chat\"}");
        HttpResponse<String> notInvited = remote.request(hs, "GET", makeJoinPath(closed, remote.user("x"), "12"), null);
        assertEquals(403, notInvited.statusCode(), notInvited.body());
        assertEquals("M_FORBIDDEN", TestHomeserverJson.errcode(notInvited));

        String open = alice.createRoom("{\"preset\":\"public_chat\"}");
        HttpResponse<String> notTheirs = remote.request(hs, "GET", makeJoinPath(open, "@x:elsewhere.example", "12"),
                null);
        assertEquals(403, notTheirs.statusCode(), notTheirs.body());
        assertEquals(404, remote.request(hs, "GET", makeJoinPath("!unknown:" + hs.serverName(), remote.user("x"), "12"),
                null).statusCode());
    }

    @Test
    void refusesASendJoinThatIsNotWhatWasAskedFor() {
        String roomId = alice.createRoom("{\"preset\":\"public_chat\"}");
        Pdu join = complete(ok(remote.request(hs, "GET", makeJoinPath(roomId, remote.user("carl"), "12"), null)));
        // Under another event id.
        HttpResponse<String> wrongId = remote.request(hs, "PUT", "/_matrix/federation/v2/send_join/" + enc(roomId)
                + "/" + enc("$other"), join.json());
        assertEquals(400, wrongId.statusCode(), wrongId.body());
        // A leave sent as a join.
        ObjectNode leave = join.jsonCopy();
        leave.with("content").put("membership", "leave");
        Pdu forged = remote.resign(leave, join.roomVersion());
        HttpResponse<String> notAJoin = remote.request(hs, "PUT", "/_matrix/federation/v2/send_join/" + enc(roomId)
                + "/" + enc(forged.eventId()), forged.json());
        assertEquals(400, notAJoin.statusCode(), notAJoin.body());
        assertEquals(null, alice.stateContent(roomId, "m.room.member", remote.user("carl")));
    }

    @Test
    void aServerTheRoomsAclDeniesCannotJoin() {
        // Every test server is an IP literal, so an ACL without IP literals denies them all.
        String roomId = alice.createRoom("{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.server_acl\",\"state_key\":\"\",\"content\":{\"allow\":[\"*\"],"
                + "\"allow_ip_literals\":false}}]}");
        HttpResponse<String> r = remote.request(hs, "GET", makeJoinPath(roomId, remote.user("dee"), "12"), null);
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("M_FORBIDDEN", TestHomeserverJson.errcode(r));
    }

    @Test
    void aRemoteUserLeavesThroughMakeLeaveAndSendLeave() {
        String roomId = alice.createRoom("{\"preset\":\"public_chat\"}");
        String eve = remote.user("eve");
        Pdu join = complete(ok(remote.request(hs, "GET", makeJoinPath(roomId, eve, "12"), null)));
        ok(remote.request(hs, "PUT", "/_matrix/federation/v2/send_join/" + enc(roomId) + "/" + enc(join.eventId()),
                join.json()));

        JsonNode template = ok(remote.request(hs, "GET", "/_matrix/federation/v1/make_leave/" + enc(roomId) + "/"
                + enc(eve), null));
        assertEquals("leave", template.path("event").path("content").path("membership").asText());
        Pdu leave = complete(template);
        JsonNode answer = ok(remote.request(hs, "PUT", "/_matrix/federation/v2/send_leave/" + enc(roomId) + "/"
                + enc(leave.eventId()), leave.json()));
        assertEquals(0, answer.size());
        assertEquals("leave", alice.stateContent(roomId, "m.room.member", eve).path("membership").asText());
    }

    @Test
    void anInviteOfALocalUserIsSignedAndShownInTheirSync() {
        MatrixClient dora = MatrixClient.register(hs, "dora");
        String roomId = "!fake:" + remote.serverName();
        Pdu create = remote.event(RoomVersions.V11, roomId, remote.user("host"), "m.room.create", "",
                json("{\"room_version\":\"11\"}"), List.of(), List.of(), 1);
        Pdu invite = remote.event(RoomVersions.V11, roomId, remote.user("host"), "m.room.member", dora.userId(),
                json("{\"membership\":\"invite\"}"), List.of(create.eventId()), List.of(create.eventId()), 2);
        ObjectNode body = Json.MAPPER.createObjectNode().put("room_version", "11");
        body.set("event", invite.json());
        body.putArray("invite_room_state").add(create.json()).add(remote.event(RoomVersions.V11, roomId,
                remote.user("host"), "m.room.name", "", json("{\"name\":\"Far away\"}"), List.of(create.eventId()),
                List.of(create.eventId()), 2).json());

        JsonNode answer = ok(remote.request(hs, "PUT", "/_matrix/federation/v2/invite/" + enc(roomId) + "/"
                + enc(invite.eventId()), body));
        ObjectNode signed = (ObjectNode) answer.path("event");
        assertTrue(EventSigning.verify(signed, RoomVersions.V11, hs.serverName(),
                hs.homeserver().signingKey().verifyKey()), "signed by the invitee's server");
        assertTrue(EventSigning.verify(signed, RoomVersions.V11, remote.serverName(),
                remote.signingKey().verifyKey()), "still signed by the inviter's server");

        dora.awaitSync("the invite", c -> c.invites.containsKey(roomId));
        assertTrue(stream(dora.invites.get(roomId)).anyMatch(e -> "Far away".equals(
                e.path("content").path("name").asText())), dora.invites.get(roomId).toString());
    }

    @Test
    void anInviteFromAServerThatCannotBeReachedIsRejectedLocally() {
        MatrixClient gil = MatrixClient.register(hs, "gil");
        String roomId = "!unreachable:" + remote.serverName();
        Pdu create = remote.event(RoomVersions.V11, roomId, remote.user("host"), "m.room.create", "",
                json("{\"room_version\":\"11\"}"), List.of(), List.of(), 1);
        Pdu invite = remote.event(RoomVersions.V11, roomId, remote.user("host"), "m.room.member", gil.userId(),
                json("{\"membership\":\"invite\"}"), List.of(create.eventId()), List.of(create.eventId()), 2);
        ObjectNode body = Json.MAPPER.createObjectNode().put("room_version", "11");
        body.set("event", invite.json());
        ok(remote.request(hs, "PUT", "/_matrix/federation/v2/invite/" + enc(roomId) + "/" + enc(invite.eventId()),
                body));
        gil.awaitSync("the invite", c -> c.invites.containsKey(roomId));

        // The fake server has no make_leave: the rejection stays here.
        gil.leave(roomId);
        gil.awaitSync("the invite rejected", c -> !c.invites.containsKey(roomId) && c.left.contains(roomId));
    }

    @Test
    void refusesToSignWhatIsNotAnInviteOfALocalUser() {
        String roomId = "!fake2:" + remote.serverName();
        MatrixClient finn = MatrixClient.register(hs, "finn");
        Pdu notOurs = remote.event(RoomVersions.V11, roomId, remote.user("host"), "m.room.member",
                "@someone:elsewhere.example", json("{\"membership\":\"invite\"}"), List.of(), List.of(), 2);
        Pdu notAnInvite = remote.event(RoomVersions.V11, roomId, remote.user("host"), "m.room.member",
                finn.userId(), json("{\"membership\":\"join\"}"), List.of(), List.of(), 2);
        for (Pdu event : List.of(notOurs, notAnInvite)) {
            ObjectNode body = Json.MAPPER.createObjectNode().put("room_version", "11");
            body.set("event", event.json());
            HttpResponse<String> r = remote.request(hs, "PUT", "/_matrix/federation/v2/invite/" + enc(roomId) + "/"
                    + enc(event.eventId()), body);
            assertEquals(400, r.statusCode(), r.body());
            assertEquals("M_INVALID_PARAM", TestHomeserverJson.errcode(r));
        }
        ObjectNode unknownVersion = Json.MAPPER.createObjectNode().put("room_version", "999");
        unknownVersion.set("event", notAnInvite.json());
        HttpResponse<String> r = remote.request(hs, "PUT", "/_matrix/federation/v2/invite/" + enc(roomId) + "/"
                + enc(notAnInvite.eventId()), unknownVersion);
        assertEquals("M_INCOMPATIBLE_ROOM_VERSION", TestHomeserverJson.errcode(r), r.body());
        assertEquals("999", TestHomeserver.json(r).path("room_version").asText(), r.body());
    }

    @Test
    void answersDirectoryQueriesForItsOwnAliases() {
        String roomId = alice.createRoom("{\"preset\":\"public_chat\",\"room_alias_name\":\"asked\"}");
        JsonNode answer = ok(remote.request(hs, "GET", "/_matrix/federation/v1/query/directory?room_alias="
                + enc("#asked:" + hs.serverName()), null));
        assertEquals(roomId, answer.path("room_id").asText());
        assertEquals(hs.serverName(), answer.path("servers").path(0).asText());
        assertEquals(404, remote.request(hs, "GET", "/_matrix/federation/v1/query/directory?room_alias="
                + enc("#missing:" + hs.serverName()), null).statusCode());
    }

    @Test
    void answersProfileQueriesAndRefusesQueryTypesItHasNoHandlerFor() {
        JsonNode profile = ok(remote.request(hs, "GET", "/_matrix/federation/v1/query/profile?user_id="
                + enc(alice.userId()) + "&field=displayname", null));
        assertTrue(profile.has("displayname"), profile::toString);

        HttpResponse<String> unknown = remote.request(hs, "GET", "/_matrix/federation/v1/query/org.example.nothing"
                + "?key=value", null);
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertEquals("M_NOT_FOUND", TestHomeserver.json(unknown).path("errcode").asText(), unknown.body());

        // Unsigned: refused before the type is looked at, as every federation request is.
        HttpResponse<String> unsigned = hs.send(java.net.http.HttpRequest.newBuilder(
                hs.federationUri("/_matrix/federation/v1/query/org.example.nothing")).GET());
        assertEquals(401, unsigned.statusCode(), unsigned.body());
        assertEquals("M_UNAUTHORIZED", TestHomeserver.json(unsigned).path("errcode").asText(), unsigned.body());
    }

    private static String eventId(JsonNode event) {
        try {
            return Pdu.parse((ObjectNode) event, RoomVersions.V12).eventId();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }
}
