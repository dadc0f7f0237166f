package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.myelin.federation.keys.KeyRing;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.EventIds;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.server.http.Json;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.MutableClock;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.storage.federation.ServerKeyRepository;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.federation.MatrixClient.enc;
import static org.myelin.server.federation.MatrixClient.json;

/**
 * A hostile peer, played by a fake remote server: what it forges or inflates is refused with a
 * Matrix error and changes nothing: a restricted join it builds for a user the allow list does
 * not admit, events with too many {@code prev_events}, invites with huge stripped state, a key it
 * claims valid for centuries (server-server API, "Restricted rooms", "Retrieving server keys";
 * room versions 5+, "Signing key validity period").
 */
class HostilePeerIT {

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

    private static String makeJoinPath(String roomId, String userId, String version) {
        return "/_matrix/federation/v1/make_join/" + enc(roomId) + "/" + enc(userId) + "?ver=" + version;
    }

    private static String sendJoinPath(String roomId, String eventId) {
        return "/_matrix/federation/v2/send_join/" + enc(roomId) + "/" + enc(eventId);
    }

    private static JsonNode ok(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return TestHomeserver.json(response);
    }

    /** The template completed and signed as the fake server's user would, for {@code userId}. */
    private static Pdu complete(JsonNode template, String userId) {
        ObjectNode event = ((ObjectNode) template.path("event")).deepCopy();
        event.put("sender", userId);
        event.put("state_key", userId);
        event.put("origin_server_ts", System.currentTimeMillis());
        return remote.resign(event, RoomVersions.find(template.path("room_version").asText()).orElseThrow());
    }

    /** {@code userId} of the fake server joins {@code roomId} by the handshake; the send_join answer. */
    private static JsonNode join(String roomId, String userId, String version) {
        Pdu join = complete(ok(remote.request(hs, "GET", makeJoinPath(roomId, userId, version), null)), userId);
        JsonNode answer = ok(remote.request(hs, "PUT", sendJoinPath(roomId, join.eventId()), join.json()));
        ((ObjectNode) answer).set("joined", join.json());
        return answer;
    }

    @ParameterizedTest(name = "room version {0}")
    @ValueSource(strings = {"10", "12"})
    void aRestrictedJoinBuiltForAUserTheAllowListRefusesIsNotCountersigned(String version) {
        String space = alice.createRoom("{\"preset\":\"public_chat\"}");
        String room = alice.createRoom("{\"room_version\":\"" + version + "\",\"preset\":\"private_chat\","
                + "\"initial_state\":[{\"type\":\"m.room.join_rules\",\"state_key\":\"\",\"content\":{\"join_rule\":"
                + "\"restricted\",\"allow\":[{\"type\":\"m.room_membership\",\"room_id\":\"" + space + "\"}]}}]}");
        String insider = remote.user("insider" + version);
        String outsider = remote.user("outsider" + version);
        join(space, insider, "12");

        HttpResponse<String> refused = remote.request(hs, "GET", makeJoinPath(room, outsider, version), null);
        assertEquals(403, refused.statusCode(), refused.body());

        // The insider's template, made over for the outsider: it names alice as the authoriser.
        JsonNode template = ok(remote.request(hs, "GET", makeJoinPath(room, insider, version), null));
        assertEquals(alice.userId(), template.path("event").path("content").path("join_authorised_via_users_server")
                .asText());
        Pdu forged = complete(template, outsider);
        HttpResponse<String> r = remote.request(hs, "PUT", sendJoinPath(room, forged.eventId()), forged.json());
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("M_FORBIDDEN", TestHomeserverJson.errcode(r));
        assertNull(alice.stateContent(room, "m.room.member", outsider));

        // Naming a local user who cannot invite is refused too.
        MatrixClient nobody = MatrixClient.register(hs, "nobody" + version);
        ObjectNode byNobody = ((ObjectNode) template).deepCopy();
        ((ObjectNode) byNobody.path("event").path("content")).put("join_authorised_via_users_server", nobody.userId());
        Pdu unauthorised = complete(byNobody, insider);
        HttpResponse<String> notJoined = remote.request(hs, "PUT", sendJoinPath(room, unauthorised.eventId()),
                unauthorised.json());
        assertEquals(403, notJoined.statusCode(), notJoined.body());

        // The insider's own join goes through, countersigned.
        Pdu genuine = complete(template, insider);
        ok(remote.request(hs, "PUT", sendJoinPath(room, genuine.eventId()), genuine.json()));
        assertEquals("join", alice.stateContent(room, "m.room.member", insider).path("membership").asText());
    }

    @Test
    void eventsWithMoreThanTwentyPrevEventsAreRefusedAndNotServed() {
        String room = alice.createRoom("{\"preset\":\"public_chat\"}");
        String mallory = remote.user("mallory");
        JsonNode answer = join(room, mallory, "12");
        RoomVersion v12 = RoomVersions.V12;
        Pdu joined = Pdu.parse((ObjectNode) answer.path("joined"), v12);
        String powerLevels = stateIds(answer, v12).get("m.room.power_levels");
        List<String> auth = List.of(powerLevels, joined.eventId());

        // 21 messages on the join, each a fork of its own, all accepted.
        List<ObjectNode> forks = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            forks.add(remote.event(v12, room, mallory, "m.room.message", null, json("{\"body\":\"fork " + i + "\"}"),
                    List.of(joined.eventId()), auth, joined.depth() + 1).json());
        }
        JsonNode accepted = send(forks);
        forks.forEach(f -> assertFalse(accepted.path("pdus").path(EventIds.of(f, v12)).has("error"),
                accepted.toString()));

        // One event on all of them: 21 prev_events.
        List<String> forkIds = forks.stream().map(f -> EventIds.of(f, v12)).toList();
        ObjectNode merge = remote.sign(EventBuilder.in(v12, room).type("m.room.message").sender(mallory)
                .content(json("{\"body\":\"merge\"}")).prevEvents(forkIds).authEvents(auth)
                .depth(joined.depth() + 2).originServerTs(System.currentTimeMillis()).unsignedJson(), v12);
        // And one of depth 0.
        ObjectNode shallow = remote.sign(EventBuilder.in(v12, room).type("m.room.message").sender(mallory)
                .content(json("{\"body\":\"shallow\"}")).prevEvents(List.of(forkIds.getFirst())).authEvents(auth)
                .depth(0).originServerTs(System.currentTimeMillis()).unsignedJson(), v12);
        JsonNode refused = send(List.of(merge, shallow));
        for (ObjectNode bad : List.of(merge, shallow)) {
            String id = EventIds.of(bad, v12);
            assertTrue(refused.path("pdus").path(id).has("error"), refused.toString());
            HttpResponse<String> served = remote.request(hs, "GET", "/_matrix/federation/v1/event/" + enc(id), null);
            assertEquals(404, served.statusCode(), served.body());
        }
    }

    private static JsonNode send(List<ObjectNode> pdus) {
        return ok(remote.request(hs, "PUT", "/_matrix/federation/v1/send/" + System.nanoTime(),
                remote.transactionOf(pdus, List.of())));
    }

    /** The ids of the state events of a send_join answer, by type (state key "" only). */
    private static Map<String, String> stateIds(JsonNode answer, RoomVersion version) {
        Map<String, String> ids = new HashMap<>();
        for (JsonNode e : answer.path("state")) {
            if ("".equals(e.path("state_key").asText(null))) {
                ids.put(e.path("type").asText(), EventIds.of((ObjectNode) e, version));
            }
        }
        return ids;
    }

    // ---- invites with inflated stripped state ----

    private record Invite(String roomId, Pdu create, Pdu invite) {
        ObjectNode body(ArrayNode roomState) {
            ObjectNode body = Json.MAPPER.createObjectNode().put("room_version", "11");
            body.set("event", invite.json());
            body.set("invite_room_state", roomState);
            return body;
        }

        String path() {
            return "/_matrix/federation/v2/invite/" + enc(roomId) + "/" + enc(invite.eventId());
        }
    }

    private static Invite inviteOf(MatrixClient invitee, String room) {
        String roomId = "!" + room + ":" + remote.serverName();
        Pdu create = remote.event(RoomVersions.V11, roomId, remote.user("host"), "m.room.create", "",
                json("{\"room_version\":\"11\"}"), List.of(), List.of(), 1);
        Pdu invite = remote.event(RoomVersions.V11, roomId, remote.user("host"), "m.room.member", invitee.userId(),
                json("{\"membership\":\"invite\"}"), List.of(create.eventId()), List.of(create.eventId()), 2);
        return new Invite(roomId, create, invite);
    }

    @Test
    void anInviteWithHugeStrippedStateIsABadRequest() {
        MatrixClient ivan = MatrixClient.register(hs, "ivan");
        Invite many = inviteOf(ivan, "many");
        ArrayNode fiftyThousand = Json.MAPPER.createArrayNode();
        for (int i = 0; i < 50_000; i++) {
            fiftyThousand.addObject();
        }
        HttpResponse<String> r = remote.request(hs, "PUT", many.path(), many.body(fiftyThousand));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(TestHomeserverJson.errcode(r).startsWith("M_") && !"M_UNKNOWN".equals(TestHomeserverJson.errcode(r)),
                r.body());

        Invite big = inviteOf(ivan, "big");
        ArrayNode megabytes = Json.MAPPER.createArrayNode();
        for (int i = 0; i < 10; i++) {
            megabytes.addObject().put("type", "m.room.topic").put("state_key", "").put("sender", remote.user("host"))
                    .putObject("content").put("topic", "x".repeat(60_000));
        }
        HttpResponse<String> large = remote.request(hs, "PUT", big.path(), big.body(megabytes));
        assertEquals(400, large.statusCode(), large.body());
    }

    @Test
    void aGenuineInviteWhoseStrippedStateExceeds64KiBIsKept() {
        MatrixClient judy = MatrixClient.register(hs, "judy");
        Invite invite = inviteOf(judy, "wordy");
        String topic = "t".repeat(50_000);
        String name = "n".repeat(30_000);
        ArrayNode roomState = Json.MAPPER.createArrayNode().add(invite.create().json());
        roomState.add(remote.event(RoomVersions.V11, invite.roomId(), remote.user("host"), "m.room.topic", "",
                json("{\"topic\":\"" + topic + "\"}"), List.of(invite.create().eventId()),
                List.of(invite.create().eventId()), 2).json());
        roomState.add(remote.event(RoomVersions.V11, invite.roomId(), remote.user("host"), "m.room.name", "",
                json("{\"name\":\"" + name + "\"}"), List.of(invite.create().eventId()),
                List.of(invite.create().eventId()), 2).json());
        assertTrue(roomState.toString().length() > 65_536);

        ok(remote.request(hs, "PUT", invite.path(), invite.body(roomState)));
        judy.awaitSync("the invite", c -> c.invites.containsKey(invite.roomId()));
        JsonNode stripped = judy.invites.get(invite.roomId());
        boolean hasTopic = false;
        for (JsonNode e : stripped) {
            hasTopic |= topic.equals(e.path("content").path("topic").asText());
        }
        assertTrue(hasTopic, "the stripped state reaches the invitee");
    }

    // ---- keys ----

    @Test
    void aKeyClaimedValidForCenturiesIsTrustedForSevenDaysThenFetchedAgain() {
        try (FakeRemoteServer eternal = FakeRemoteServer.start()) {
            eternal.keyValidity(Duration.ofDays(365L * 300));
            MutableClock clock = new MutableClock();
            // From the real now: the ring shares its table with the homeserver's own, on the real
            // clock, and a row another fake server on this port left there must compare as older.
            clock.advance(System.currentTimeMillis() - clock.millis());
            FederationServices federation = hs.homeserver().federation();
            KeyRing ring = new KeyRing(federation.localKeys,
                    new ServerKeyRepository(hs.homeserver().database().dataSource()), federation.client, List.of(),
                    clock);
            String server = eternal.serverName();
            String keyId = eternal.signingKey().keyId();

            assertEquals(1, ring.documentsFor(server, Set.of(), clock.millis()).size());
            assertEquals(1, eternal.keyRequests());
            clock.advance(Duration.ofDays(6).toMillis());
            assertTrue(ring.requestKey(server, keyId).isPresent());
            assertEquals(1, ring.documentsFor(server, Set.of(keyId), clock.millis()).size());
            assertEquals(1, eternal.keyRequests(), "within the seven days");

            clock.advance(Duration.ofDays(2).toMillis());
            assertEquals(1, ring.documentsFor(server, Set.of(), clock.millis()).size());
            assertEquals(2, eternal.keyRequests(), "a notary asks the server again after seven days");
            assertTrue(ring.requestKey(server, keyId).isPresent(), "trusted again once fetched again");
            assertEquals(2, eternal.keyRequests());

            clock.advance(Duration.ofDays(8).toMillis());
            assertTrue(ring.requestKey(server, keyId).isPresent());
            assertEquals(3, eternal.keyRequests(), "and so does a request's check");
        }
    }
}
