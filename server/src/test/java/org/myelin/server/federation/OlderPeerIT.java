package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.federation.MatrixClient.enc;
import static org.myelin.server.federation.MatrixClient.json;

/**
 * Federation with servers of older releases, played by a fake remote server that speaks as they
 * do: it fetches keys by key id ({@code GET /_matrix/key/v2/server/{keyId}}, and through a notary
 * {@code GET /_matrix/key/v2/query/{serverName}/{keyId}}) and calls the v1 {@code send_join},
 * {@code send_leave} and {@code invite}, whose answers are {@code [200, {...}]}; it checks what it
 * is sent with the keys so fetched.
 */
class OlderPeerIT {

    static TestHomeserver hs;
    static TestHomeserver notary;
    static FakeRemoteServer remote;
    static MatrixClient alice;
    static VerifyKey hsKey;

    @BeforeAll
    static void start() {
        hs = TestHomeserver.start();
        notary = TestHomeserver.start();
        remote = FakeRemoteServer.start();
        alice = MatrixClient.register(hs, "alice");
        hsKey = hs.homeserver().signingKey().verifyKey();
    }

    @AfterAll
    static void stop() {
        remote.close();
        notary.close();
        hs.close();
    }

    private static JsonNode ok(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return TestHomeserver.json(response);
    }

    /** A v1 answer: {@code [200, body]}; the body. */
    private static JsonNode v1(HttpResponse<String> response) {
        JsonNode answer = ok(response);
        assertTrue(answer.isArray() && answer.size() == 2, answer.toString());
        assertEquals(200, answer.get(0).asInt());
        return answer.get(1);
    }

    private static Pdu complete(JsonNode template, String version) {
        ObjectNode event = ((ObjectNode) template.path("event")).deepCopy();
        event.put("origin_server_ts", System.currentTimeMillis());
        return remote.resign(event, RoomVersions.find(version).orElseThrow());
    }

    @Test
    void keysAreServedByKeyIdDirectlyAndThroughANotary() {
        VerifyKey direct = remote.fetchKeyById(hs, hsKey.keyId()).orElseThrow();
        assertEquals(hsKey, direct);
        VerifyKey notaryKey = notary.homeserver().signingKey().verifyKey();
        VerifyKey viaNotary = remote.queryKeyById(notary, notaryKey, hs.serverName(), hsKey.keyId()).orElseThrow();
        assertEquals(hsKey, viaNotary);
        assertEquals(remote.signingKey().verifyKey(), remote.queryKeyById(hs, hsKey, remote.serverName(),
                remote.signingKey().keyId()).orElseThrow());
    }

    @Test
    void aUserOfAnOlderServerJoinsAndLeavesThroughTheV1Endpoints() {
        String roomId = alice.createRoom("{\"preset\":\"public_chat\",\"name\":\"Old friends\"}");
        String bob = remote.user("bob");
        VerifyKey key = remote.fetchKeyById(hs, hsKey.keyId()).orElseThrow();

        JsonNode template = ok(remote.request(hs, "GET", "/_matrix/federation/v1/make_join/" + enc(roomId) + "/"
                + enc(bob) + "?ver=10&ver=11&ver=12", null));
        String version = template.path("room_version").asText();
        RoomVersion roomVersion = RoomVersions.find(version).orElseThrow();
        Pdu join = complete(template, version);
        JsonNode answer = v1(remote.request(hs, "PUT", "/_matrix/federation/v1/send_join/" + enc(roomId) + "/"
                + enc(join.eventId()), join.json()));
        assertEquals(hs.serverName(), answer.path("origin").asText());
        assertTrue(answer.path("state").size() > 0 && answer.path("auth_chain").size() > 0, answer.toString());
        for (JsonNode e : answer.path("state")) {
            if (e.path("sender").asText().endsWith(":" + hs.serverName())) {
                assertTrue(EventSigning.verify((ObjectNode) e, roomVersion, hs.serverName(), key), e.toString());
            }
        }
        assertEquals("join", alice.stateContent(roomId, "m.room.member", bob).path("membership").asText());

        JsonNode leaveTemplate = ok(remote.request(hs, "GET", "/_matrix/federation/v1/make_leave/" + enc(roomId) + "/"
                + enc(bob), null));
        Pdu leave = complete(leaveTemplate, version);
        JsonNode left = v1(remote.request(hs, "PUT", "/_matrix/federation/v1/send_leave/" + enc(roomId) + "/"
                + enc(leave.eventId()), leave.json()));
        assertEquals(0, left.size());
        assertEquals("leave", alice.stateContent(roomId, "m.room.member", bob).path("membership").asText());
    }

    @Test
    void theV2SendJoinAnswerNamesItsOrigin() {
        String roomId = alice.createRoom("{\"preset\":\"public_chat\"}");
        String carol = remote.user("carol");
        JsonNode template = ok(remote.request(hs, "GET", "/_matrix/federation/v1/make_join/" + enc(roomId) + "/"
                + enc(carol) + "?ver=12", null));
        Pdu join = complete(template, "12");
        JsonNode answer = ok(remote.request(hs, "PUT", "/_matrix/federation/v2/send_join/" + enc(roomId) + "/"
                + enc(join.eventId()), join.json()));
        assertEquals(hs.serverName(), answer.path("origin").asText());
    }

    @Test
    void anInviteThroughTheV1EndpointIsSignedAndShownInSync() {
        MatrixClient dora = MatrixClient.register(hs, "dora");
        VerifyKey key = remote.fetchKeyById(hs, hsKey.keyId()).orElseThrow();
        String host = remote.user("host");
        String roomId = "!old:" + remote.serverName();
        RoomVersion v1 = RoomVersions.V1;
        Pdu create = EventBuilder.in(v1, roomId).eventId("$create:" + remote.serverName()).type("m.room.create")
                .stateKey("").sender(host).content(json("{\"creator\":\"" + host + "\"}"))
                .originServerTs(System.currentTimeMillis()).build(remote.serverName(), remote.signingKey());
        Pdu invite = EventBuilder.in(v1, roomId).eventId("$invite:" + remote.serverName()).type("m.room.member")
                .stateKey(dora.userId()).sender(host).content(json("{\"membership\":\"invite\"}"))
                .prevEvents(List.of(create.eventId())).authEvents(List.of(create.eventId())).depth(2)
                .originServerTs(System.currentTimeMillis()).build(remote.serverName(), remote.signingKey());
        ObjectNode body = invite.jsonCopy();
        body.putObject("unsigned").putArray("invite_room_state").addObject().put("type", "m.room.name")
                .put("state_key", "").put("sender", host).putObject("content").put("name", "Vintage");

        JsonNode answer = v1(remote.request(hs, "PUT", "/_matrix/federation/v1/invite/" + enc(roomId) + "/"
                + enc(invite.eventId()), body));
        ObjectNode signed = (ObjectNode) answer.path("event");
        assertTrue(EventSigning.verify(signed, v1, hs.serverName(), key), "signed by the invitee's server");
        assertTrue(EventSigning.verify(signed, v1, remote.serverName(), remote.signingKey().verifyKey()));

        dora.awaitSync("the invite", c -> c.invites.containsKey(roomId));
        boolean named = false;
        for (JsonNode e : dora.invites.get(roomId)) {
            named |= "Vintage".equals(e.path("content").path("name").asText());
        }
        assertTrue(named, dora.invites.get(roomId).toString());
    }

    @Test
    void anIncompatibleRoomVersionIsNamedInTheError() {
        String roomId = alice.createRoom("{\"preset\":\"public_chat\",\"room_version\":\"11\"}");
        HttpResponse<String> r = remote.request(hs, "GET", "/_matrix/federation/v1/make_join/" + enc(roomId) + "/"
                + enc(remote.user("old")) + "?ver=1&ver=2", null);
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = TestHomeserver.json(r);
        assertEquals("M_INCOMPATIBLE_ROOM_VERSION", error.path("errcode").asText());
        assertEquals("11", error.path("room_version").asText(), r.body());
    }

    /**
     * Synapse asks for each profile field of a new member and logs a failure for a 404, so a field
     * the user has not set is answered as {@code null}, as Synapse answers it; an unknown user is 404.
     */
    @Test
    void aProfileFieldNotSetIsNullNotNotFound() {
        JsonNode avatar = ok(remote.request(hs, "GET", "/_matrix/federation/v1/query/profile?user_id="
                + enc(alice.userId()) + "&field=avatar_url", null));
        assertTrue(avatar.has("avatar_url") && avatar.get("avatar_url").isNull(), avatar.toString());
        assertEquals(404, remote.request(hs, "GET", "/_matrix/federation/v1/query/profile?user_id="
                + enc("@nobody:" + hs.serverName()) + "&field=avatar_url", null).statusCode());
    }
}
