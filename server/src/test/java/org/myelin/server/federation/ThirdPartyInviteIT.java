package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.server.http.Json;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestIdentityServer;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.federation.MatrixClient.enc;

/**
 * Third-party invites (client-server API, "Third-party invites"; server-server API, "Third-party
 * invites") against an identity server on loopback: an invite by email of an unbound address
 * stores an invite at the identity server and sends {@code m.room.third_party_invite}; the bind
 * ({@code /3pid/onbind}) turns it into a membership invite, on the room's server itself or, from
 * the invitee's server, through {@code /exchange_third_party_invite}; a bound address is invited
 * directly; forged signatures and revoked keys are refused.
 */
class ThirdPartyInviteIT {

    private static final String V3 = "/_matrix/client/v3";
    private static final String ONBIND = "/_matrix/federation/v1/3pid/onbind";
    private static final AtomicLong N = new AtomicLong();

    private static TestHomeserver a;
    private static TestHomeserver b;
    private static TestIdentityServer is;

    @BeforeAll
    static void boot() {
        a = TestHomeserver.start();
        b = TestHomeserver.start();
        is = TestIdentityServer.start();
    }

    @AfterAll
    static void stop() {
        is.close();
        b.close();
        a.close();
    }

    private static String address() {
        return "guest" + N.incrementAndGet() + "@example.org";
    }

    private static ObjectNode inviteBody(String address) {
        return Json.MAPPER.createObjectNode().put("id_server", is.name())
                .put("id_access_token", TestIdentityServer.ACCESS_TOKEN).put("medium", "email").put("address", address);
    }

    private static HttpResponse<String> invite(MatrixClient inviter, String roomId, ObjectNode body) {
        return inviter.call("POST", V3 + "/rooms/" + enc(roomId) + "/invite", body);
    }

    private static TestIdentityServer.StoredInvite storedFor(String address) {
        return is.invites().stream().filter(i -> i.address().equals(address)).findFirst()
                .orElseThrow(() -> new AssertionError("no invite stored for " + address));
    }

    private static URI onbind(TestHomeserver hs) {
        return hs.federationUri(ONBIND);
    }

    @Test
    void anInviteOfAnUnboundAddressStoresItAndSendsAThirdPartyInviteEvent() {
        MatrixClient alice = MatrixClient.register(a, "alice" + N.incrementAndGet());
        alice.ok("PUT", V3 + "/profile/" + enc(alice.userId()) + "/displayname", MatrixClient.json("{\"displayname\":\"Alice\"}"));
        String roomId = alice.createRoom("{\"preset\":\"private_chat\",\"name\":\"Book club\"}");
        String address = address();

        HttpResponse<String> answer = invite(alice, roomId, inviteBody(address));
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("{}", answer.body().replace(" ", ""));

        TestIdentityServer.StoredInvite stored = storedFor(address);
        assertEquals(roomId, stored.roomId());
        assertEquals(alice.userId(), stored.sender());
        assertEquals("email", stored.medium());
        assertEquals("Book club", stored.request().path("room_name").asText());
        assertEquals("Alice", stored.request().path("sender_display_name").asText());
        assertEquals("invite", stored.request().path("room_join_rules").asText());

        JsonNode event = alice.stateContent(roomId, "m.room.third_party_invite", stored.token());
        assertTrue(event != null, "an m.room.third_party_invite at the token");
        assertEquals(address.replaceAll("@.*", "@…"), event.path("display_name").asText());
        assertEquals(is.publicKey(), event.path("public_key").asText());
        assertEquals("https://" + is.name() + "/_matrix/identity/v2/pubkey/isvalid",
                event.path("key_validity_url").asText());
        assertEquals(is.publicKey(), event.path("public_keys").path(0).path("public_key").asText());
        assertTrue(is.requests().contains("POST /_matrix/identity/v2/lookup"), is.requests().toString());
    }

    @Test
    void theBindTurnsTheInviteIntoAMembershipTheUserSeesAndJoins() {
        MatrixClient alice = MatrixClient.register(a, "alice" + N.incrementAndGet());
        String roomId = alice.createRoom("{\"preset\":\"private_chat\"}");
        String address = address();
        assertEquals(200, invite(alice, roomId, inviteBody(address)).statusCode());
        MatrixClient bob = MatrixClient.register(a, "bob" + N.incrementAndGet());

        HttpResponse<String> bound = is.bind("email", address, bob.userId(), onbind(a), UnaryOperator.identity());
        assertEquals(200, bound.statusCode(), bound.body());

        bob.awaitSync("the invite", c -> c.invites.containsKey(roomId));
        JsonNode member = alice.stateContent(roomId, "m.room.member", bob.userId());
        assertEquals("invite", member.path("membership").asText());
        assertEquals(storedFor(address).token(), member.path("third_party_invite").path("signed").path("token").asText());
        assertTrue(member.path("third_party_invite").path("display_name").isTextual(), member.toString());
        assertEquals(roomId, bob.join(roomId));
        alice.awaitSync("bob joining", c -> c.sawMembership(roomId, bob.userId(), "join"));
    }

    @Test
    void aJoinWithThirdPartySignedRedeemsTheInviteFirst() {
        MatrixClient alice = MatrixClient.register(a, "alice" + N.incrementAndGet());
        String roomId = alice.createRoom("{\"preset\":\"private_chat\"}");
        String address = address();
        assertEquals(200, invite(alice, roomId, inviteBody(address)).statusCode());
        MatrixClient gina = MatrixClient.register(a, "gina" + N.incrementAndGet());
        assertEquals(403, gina.call("POST", V3 + "/rooms/" + enc(roomId) + "/join", MatrixClient.json("{}")).statusCode(),
                "not invited yet");

        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set("third_party_signed", is.signForJoin(gina.userId(), alice.userId(), storedFor(address).token()));
        HttpResponse<String> joined = gina.call("POST", V3 + "/rooms/" + enc(roomId) + "/join", body);

        assertEquals(200, joined.statusCode(), joined.body());
        alice.awaitSync("gina joining", c -> c.sawMembership(roomId, gina.userId(), "join"));
        assertTrue(alice.sawMembership(roomId, gina.userId(), "invite"), "the invite came first");
        ObjectNode forged = Json.MAPPER.createObjectNode();
        forged.set("third_party_signed", is.signForJoin(gina.userId(), alice.userId(), "no-such-token"));
        MatrixClient hank = MatrixClient.register(a, "hank" + N.incrementAndGet());
        HttpResponse<String> refused = hank.call("POST", V3 + "/rooms/" + enc(roomId) + "/join", forged);
        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals("M_FORBIDDEN", TestHomeserver.json(refused).path("errcode").asText());
    }

    @Test
    void anAddressAlreadyBoundIsInvitedDirectly() {
        MatrixClient alice = MatrixClient.register(a, "alice" + N.incrementAndGet());
        MatrixClient carol = MatrixClient.register(a, "carol" + N.incrementAndGet());
        String roomId = alice.createRoom("{\"preset\":\"private_chat\"}");
        String address = address();
        is.bindQuietly("email", address, carol.userId());

        assertEquals(200, invite(alice, roomId, inviteBody(address)).statusCode());

        carol.awaitSync("the invite", c -> c.invites.containsKey(roomId));
        JsonNode member = alice.stateContent(roomId, "m.room.member", carol.userId());
        assertEquals("invite", member.path("membership").asText());
        assertFalse(member.has("third_party_invite"), member.toString());
        assertTrue(is.invites().stream().noneMatch(i -> i.address().equals(address)), "nothing stored");
        assertFalse(alice.roomState(roomId).keySet().stream().anyMatch(k -> k.startsWith("m.room.third_party_invite|")));
    }

    @Test
    void aForgedSignatureIsRefused() {
        MatrixClient alice = MatrixClient.register(a, "alice" + N.incrementAndGet());
        String roomId = alice.createRoom("{\"preset\":\"private_chat\"}");
        String address = address();
        assertEquals(200, invite(alice, roomId, inviteBody(address)).statusCode());
        MatrixClient mallory = MatrixClient.register(a, "mallory" + N.incrementAndGet());

        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        SigningKey other = SigningKey.fromSeed("0", seed);
        HttpResponse<String> bound = is.bind("email", address, mallory.userId(), onbind(a), signed -> {
            signed.remove("signatures");
            return JsonSigning.sign(signed, is.name(), other);
        });

        assertEquals(403, bound.statusCode(), bound.body());
        assertEquals("M_FORBIDDEN", TestHomeserver.json(bound).path("errcode").asText());
        assertNull(alice.stateContent(roomId, "m.room.member", mallory.userId()), "no membership for mallory");
    }

    @Test
    void aKeyTheIdentityServerRevokedIsRefused() {
        MatrixClient alice = MatrixClient.register(a, "alice" + N.incrementAndGet());
        String roomId = alice.createRoom("{\"preset\":\"private_chat\"}");
        String address = address();
        assertEquals(200, invite(alice, roomId, inviteBody(address)).statusCode());
        MatrixClient dan = MatrixClient.register(a, "dan" + N.incrementAndGet());
        try {
            // The same invite, but its signed block checked against a key the server says is revoked.
            is.revoke(is.publicKey());
            HttpResponse<String> bound = is.bind("email", address, dan.userId(), onbind(a), UnaryOperator.identity());
            assertEquals(403, bound.statusCode(), bound.body());
            assertEquals("M_FORBIDDEN", TestHomeserver.json(bound).path("errcode").asText());
            assertNull(alice.stateContent(roomId, "m.room.member", dan.userId()));
        } finally {
            is.unrevoke(is.publicKey());
        }
    }

    @Test
    void theInviteesServerExchangesTheInviteWithTheRoomsServer() {
        MatrixClient alice = MatrixClient.register(a, "alice" + N.incrementAndGet());
        String roomId = alice.createRoom("{\"preset\":\"private_chat\"}");
        String address = address();
        assertEquals(200, invite(alice, roomId, inviteBody(address)).statusCode());
        MatrixClient erin = MatrixClient.register(b, "erin" + N.incrementAndGet());

        HttpResponse<String> bound = is.bind("email", address, erin.userId(), onbind(b), UnaryOperator.identity());
        assertEquals(200, bound.statusCode(), bound.body());

        erin.awaitSync("the invite", c -> c.invites.containsKey(roomId));
        JsonNode member = alice.stateContent(roomId, "m.room.member", erin.userId());
        assertEquals("invite", member.path("membership").asText());
        assertEquals(storedFor(address).token(), member.path("third_party_invite").path("signed").path("token").asText());
        assertEquals(roomId, erin.join(roomId));
        alice.awaitSync("erin joining", c -> c.sawMembership(roomId, erin.userId(), "join"));
    }

    @Test
    void theRoomsServerRefusesAForgedExchange() {
        MatrixClient alice = MatrixClient.register(a, "alice" + N.incrementAndGet());
        String roomId = alice.createRoom("{\"preset\":\"private_chat\"}");
        String address = address();
        assertEquals(200, invite(alice, roomId, inviteBody(address)).statusCode());
        MatrixClient frank = MatrixClient.register(b, "frank" + N.incrementAndGet());

        HttpResponse<String> bound = is.bind("email", address, frank.userId(), onbind(b), signed -> {
            signed.put("mxid", "@someone-else:" + b.serverName());
            return signed;
        });

        assertEquals(403, bound.statusCode(), bound.body());
        assertEquals("M_FORBIDDEN", TestHomeserver.json(bound).path("errcode").asText());
        assertNull(alice.stateContent(roomId, "m.room.member", frank.userId()));
    }

    @Test
    void theExchangeRefusesMalformedEventsAndInvitersOfOtherServers() {
        MatrixClient alice = MatrixClient.register(a, "alice" + N.incrementAndGet());
        String roomId = alice.createRoom("{\"preset\":\"private_chat\"}");
        String address = address();
        assertEquals(200, invite(alice, roomId, inviteBody(address)).statusCode());
        String token = storedFor(address).token();
        String path = "/_matrix/federation/v1/exchange_third_party_invite/" + enc(roomId);
        try (FakeRemoteServer peer = FakeRemoteServer.start()) {
            ObjectNode event = Json.MAPPER.createObjectNode().put("type", "m.room.member").put("room_id", roomId)
                    .put("sender", alice.userId()).put("state_key", peer.user("ivan"));
            event.putObject("content").put("membership", "invite").putObject("third_party_invite")
                    .set("signed", is.sign(peer.user("ivan"), token));

            ObjectNode otherRoom = event.deepCopy().put("room_id", "!other:" + a.serverName());
            assertEquals(400, peer.request(a, "PUT", path, otherRoom).statusCode(), "room_id not the path's");
            ObjectNode noSigned = event.deepCopy();
            ((ObjectNode) noSigned.get("content").get("third_party_invite")).remove("signed");
            assertEquals(400, peer.request(a, "PUT", path, noSigned).statusCode());
            ObjectNode notInvite = event.deepCopy();
            ((ObjectNode) notInvite.get("content")).put("membership", "join");
            assertEquals(400, peer.request(a, "PUT", path, notInvite).statusCode());
            ObjectNode remoteSender = event.deepCopy().put("sender", peer.user("mallory"));
            HttpResponse<String> refused = peer.request(a, "PUT", path, remoteSender);
            assertEquals(403, refused.statusCode(), refused.body());
            assertEquals("M_FORBIDDEN", TestHomeserver.json(refused).path("errcode").asText());
            assertNull(alice.stateContent(roomId, "m.room.member", peer.user("ivan")), "nothing sent");
        }
    }

    @Test
    void refusesWhatSynapseRefuses() {
        MatrixClient alice = MatrixClient.register(a, "alice" + N.incrementAndGet());
        MatrixClient outsider = MatrixClient.register(a, "outsider" + N.incrementAndGet());
        String roomId = alice.createRoom("{\"preset\":\"private_chat\"}");
        int before = is.invites().size();

        ObjectNode noToken = inviteBody(address());
        noToken.remove("id_access_token");
        HttpResponse<String> missing = invite(alice, roomId, noToken);
        assertEquals(400, missing.statusCode(), missing.body());
        assertEquals("M_MISSING_PARAM", TestHomeserver.json(missing).path("errcode").asText());

        HttpResponse<String> notMember = invite(outsider, roomId, inviteBody(address()));
        assertEquals(403, notMember.statusCode(), notMember.body());
        assertEquals("M_FORBIDDEN", TestHomeserver.json(notMember).path("errcode").asText());

        HttpResponse<String> badToken = invite(alice, roomId, inviteBody(address()).put("id_access_token", "a b\r\nX: y"));
        assertEquals(400, badToken.statusCode(), badToken.body());
        assertEquals("M_INVALID_PARAM", TestHomeserver.json(badToken).path("errcode").asText());

        HttpResponse<String> unreachable = invite(alice, roomId, inviteBody(address())
                .put("id_server", "127.0.0.1:" + TestHomeserver.freePort()));
        assertEquals(400, unreachable.statusCode(), unreachable.body());
        assertEquals("Error contacting the identity server", TestHomeserver.json(unreachable).path("error").asText());

        HttpResponse<String> badServer = invite(alice, roomId, inviteBody(address()).put("id_server", "not a host/"));
        assertEquals(400, badServer.statusCode(), badServer.body());
        assertEquals("M_INVALID_PARAM", TestHomeserver.json(badServer).path("errcode").asText());

        HttpResponse<String> badOnbind = a.send(HttpRequest.newBuilder(onbind(a)).header("Content-Type",
                "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"medium\":\"email\",\"address\":"
                + "\"x@example.org\",\"mxid\":\"@x:" + a.serverName() + "\",\"invites\":[{\"room_id\":\"" + roomId
                + "\",\"sender\":\"" + alice.userId() + "\",\"mxid\":\"@x:" + a.serverName() + "\"}]}")));
        assertEquals(400, badOnbind.statusCode(), "an invite without signed: " + badOnbind.body());
        for (String bad : List.of("not json", "[]", "{\"invites\":{}}", "{\"invites\":[{\"signed\":{\"token\":1}}]}")) {
            HttpResponse<String> refused = a.send(HttpRequest.newBuilder(onbind(a)).header("Content-Type",
                    "application/json").PUT(HttpRequest.BodyPublishers.ofString(bad)));
            assertEquals(400, refused.statusCode(), bad + ": " + refused.body());
            assertTrue(TestHomeserver.json(refused).path("errcode").asText().startsWith("M_"), refused.body());
        }
        assertEquals(before, is.invites().size(), "nothing stored for refused invites");
    }
}
