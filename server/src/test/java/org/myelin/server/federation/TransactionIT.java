package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.federation.inbound.InboundEdus;
import org.myelin.federation.outbound.Edu;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.storage.events.StoredEvent;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.federation.FederatedRooms.accepted;
import static org.myelin.server.federation.FederatedRooms.await;
import static org.myelin.server.federation.FederatedRooms.content;
import static org.myelin.server.federation.FederatedRooms.hasInTimeline;
import static org.myelin.server.federation.FederatedRooms.rooms;

/**
 * Inbound {@code PUT /send/{txnId}} and the read endpoints, against a fake remote server that
 * forges what it needs: each bad PDU is rejected alone, transactions are idempotent, ACLs and
 * room membership are enforced, missing prev events are fetched from the sender, EDUs are routed,
 * and outbound transactions are retried with the same id.
 */
class TransactionIT {

    static TestHomeserver a;
    static FakeRemoteServer fake;
    static String alice;
    static String fred;
    static String roomId;
    static int txn;
    static final List<Object> edus = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        a = TestHomeserver.builder().configure(c -> c.withFederation(c.federation().withBackoff(200, 1000))).start();
        fake = FakeRemoteServer.start();
        alice = "@alice:" + a.serverName();
        fred = fake.user("fred");
        roomId = FederatedRooms.createPublicRoom(a, alice);
        joinFred(roomId);
        a.homeserver().federation().useInboundEdus(new InboundEdus() {
            @Override
            public void typing(String origin, Typing typing) {
                edus.add(typing);
            }

            @Override
            public void receipt(String origin, Receipt receipt) {
                edus.add(receipt);
            }

            @Override
            public void presence(String origin, Presence presence) {
                edus.add(presence);
            }

            @Override
            public void other(String origin, String eduType, ObjectNode c) {
                edus.add(eduType);
            }
        });
    }

    @AfterAll
    static void stop() {
        fake.close();
        a.close();
    }

    private static void joinFred(String room) {
        Pdu join = FederatedRooms.remoteEvent(a, room, fred, "m.room.member", fred, content("membership", "join"),
                fake.serverName(), fake.signingKey());
        accepted(rooms(a).pipeline.submit(new Input.RemoteEvent(join, fake.serverName())));
    }

    private static Pdu fromFred(String room, String body) {
        return fromFake(room, fred, body);
    }

    private static Pdu fromFake(String room, String sender, String body) {
        return FederatedRooms.remoteEvent(a, room, sender, "m.room.message", null, content("body", body),
                fake.serverName(), fake.signingKey());
    }

    private static HttpResponse<String> send(String txnId, List<ObjectNode> pdus, List<ObjectNode> edus) {
        return fake.request(a, "PUT", "/_matrix/federation/v1/send/" + txnId, fake.transactionOf(pdus, edus));
    }

    private static JsonNode sendOk(List<ObjectNode> pdus, List<ObjectNode> edus) {
        HttpResponse<String> response = send("txn" + (++txn), pdus, edus);
        assertEquals(200, response.statusCode(), response.body());
        return TestHomeserver.json(response).path("pdus");
    }

    @Test
    void acceptsGoodPdusAndRejectsEachBadOneAlone() {
        RoomVersion version = rooms(a).heads.get(roomId).orElseThrow().version();
        Pdu good = fromFred(roomId, "good");
        ObjectNode goodTwo = fake.event(version, roomId, fred, "m.room.message", null, content("body", "good two"),
                List.of(good.eventId()), good.authEventIds(), good.depth() + 1).jsonCopy();

        ObjectNode badSignature = fromFred(roomId, "bad signature").jsonCopy();
        badSignature.with("signatures").with(fake.serverName())
                .put(fake.signingKey().keyId(), UnpaddedBase64.encode(new byte[64]));
        ObjectNode badHash = fromFred(roomId, "original").jsonCopy();
        badHash.with("content").put("body", "changed in transit");
        Pdu notMember = fromFake(roomId, fake.user("eve"), "let me in");
        ObjectNode oversize = fromFred(roomId, "x").jsonCopy();
        oversize.with("content").put("body", "x".repeat(70_000));
        ObjectNode malformed = fromFred(roomId, "malformed").jsonCopy();
        malformed.put("prev_events", "not a list");
        ObjectNode notFromOrigin = FederatedRooms.remoteEvent(a, roomId, "@mallory:elsewhere.example.org",
                "m.room.message", null, content("body", "relayed"), fake.serverName(), fake.signingKey()).jsonCopy();

        List<ObjectNode> pdus = List.of(good.jsonCopy(), badSignature, badHash, notMember.jsonCopy(), oversize,
                malformed, notFromOrigin, goodTwo);
        JsonNode results = sendOk(pdus, List.of());

        String badSignatureId = Pdu.parse(badSignature, version).eventId();
        String badHashId = Pdu.parse(badHash, version).eventId();
        String goodTwoId = Pdu.parse(goodTwo, version).eventId();
        assertFalse(results.path(good.eventId()).has("error"), results.toString());
        assertFalse(results.path(goodTwoId).has("error"), results.toString());
        assertTrue(results.path(badSignatureId).path("error").asText().contains("signature"), results.toString());
        assertFalse(results.path(badHashId).has("error"), "kept redacted: " + results);
        assertTrue(results.path(notMember.eventId()).has("error"), results.toString());
        assertTrue(results.has(org.myelin.protocol.event.EventIds.of(oversize, version)), results.toString());
        assertTrue(results.path(org.myelin.protocol.event.EventIds.of(malformed, version)).has("error"));
        assertTrue(results.path(org.myelin.protocol.event.EventIds.of(notFromOrigin, version)).has("error"));
        assertEquals(8, results.size(), results.toString());

        assertTrue(hasInTimeline(a, good.eventId()));
        assertTrue(hasInTimeline(a, goodTwoId));
        assertTrue(rooms(a).events.byId(badSignatureId).isEmpty(), "a bad signature is dropped");
        StoredEvent redacted = rooms(a).events.byId(badHashId).orElseThrow();
        assertFalse(redacted.pdu().content().has("body"), "a bad hash keeps only the redacted event");
        assertTrue(rooms(a).events.byId(notMember.eventId()).orElseThrow().isRejected());
    }

    /** Room versions, "Redactions": a redaction applies only to an event of its own room. */
    @Test
    void aRedactionNamingAnEventOfAnotherRoomDoesNothingToIt() {
        String other = FederatedRooms.createPublicRoom(a, alice);
        joinFred(other);
        Pdu message = fromFred(roomId, "kept"); // fred's own, so only the rooms differ
        sendOk(List.of(message.jsonCopy()), List.of());
        Pdu redaction = FederatedRooms.remoteEvent(a, other, fred, "m.room.redaction", null,
                content("redacts", message.eventId()), fake.serverName(), fake.signingKey());
        sendOk(List.of(redaction.jsonCopy()), List.of());
        assertTrue(hasInTimeline(a, message.eventId()));
        assertTrue(hasInTimeline(a, redaction.eventId()), "the redaction is an event of its room all the same");
        var clientEvents = a.homeserver().clientRooms().clientEvents;
        JsonNode seen = clientEvents.format(rooms(a).events.byId(message.eventId()).orElseThrow().pdu(), alice, null);
        assertEquals("kept", seen.path("content").path("body").asText(), seen::toString);
        assertFalse(seen.path("unsigned").has("redacted_because"), seen::toString);
        // Its own room's redaction still applies.
        Pdu same = FederatedRooms.remoteEvent(a, roomId, fred, "m.room.redaction", null,
                content("redacts", message.eventId()), fake.serverName(), fake.signingKey());
        sendOk(List.of(same.jsonCopy()), List.of());
        JsonNode redacted = clientEvents.format(rooms(a).events.byId(message.eventId()).orElseThrow().pdu(), alice, null);
        assertTrue(redacted.path("content").isEmpty(), redacted::toString);
    }

    @Test
    void aRetriedTransactionGetsTheSameAnswerAndIsNotProcessedAgain() {
        Pdu first = fromFred(roomId, "first");
        HttpResponse<String> r1 = send("same-txn", List.of(first.jsonCopy()), List.of());
        assertEquals(200, r1.statusCode());
        Pdu second = fromFred(roomId, "second, under the same txn id");
        HttpResponse<String> r2 = send("same-txn", List.of(second.jsonCopy()), List.of());
        assertEquals(200, r2.statusCode());
        assertEquals(TestHomeserver.json(r1), TestHomeserver.json(r2));
        assertTrue(rooms(a).events.byId(second.eventId()).isEmpty());
    }

    @Test
    void refusesMoreThanFiftyPdusOrAHundredEdus() {
        List<ObjectNode> pdus = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            pdus.add(content("n", Integer.toString(i)));
        }
        HttpResponse<String> response = send("too-many", pdus, List.of());
        assertEquals(400, response.statusCode());
        assertEquals("M_BAD_JSON", TestHomeserver.json(response).path("errcode").asText());
        List<ObjectNode> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add(content("edu_type", "m.nothing"));
        }
        assertEquals(400, send("too-many-edus", List.of(), many).statusCode());
    }

    @Test
    void fetchesMissingPrevEventsFromTheSender() {
        RoomHead head = rooms(a).heads.get(roomId).orElseThrow();
        Pdu gap = fromFred(roomId, "the one A misses");
        fake.serve(gap);
        Pdu next = fake.event(head.version(), roomId, fred, "m.room.message", null, content("body", "after the gap"),
                List.of(gap.eventId()), gap.authEventIds(), gap.depth() + 1);
        fake.serve(next);
        JsonNode results = sendOk(List.of(next.jsonCopy()), List.of());
        assertFalse(results.path(next.eventId()).has("error"), results.toString());
        assertTrue(hasInTimeline(a, gap.eventId()), "fetched with /get_missing_events");
        assertTrue(hasInTimeline(a, next.eventId()));
    }

    @Test
    void serverAclDeniesPdusAndReads() {
        String denied = FederatedRooms.createPublicRoom(a, alice);
        joinFred(denied);
        ObjectNode acl = content();
        acl.putArray("allow").add("*");
        acl.putArray("deny").add("127.0.0.*");
        acl.put("allow_ip_literals", true);
        accepted(rooms(a).pipeline.submit(Input.LocalEvent.state(denied, alice, "m.room.server_acl", "", acl)));

        Pdu message = fromFred(denied, "am I allowed?");
        JsonNode results = sendOk(List.of(message.jsonCopy()), List.of());
        assertTrue(results.path(message.eventId()).path("error").asText().contains("ACL"), results.toString());
        String create = rooms(a).heads.get(denied).orElseThrow().currentState().get(StateKey.create());
        HttpResponse<String> read = fake.request(a, "GET", "/_matrix/federation/v1/state_ids/" + enc(denied)
                + "?event_id=" + enc(create), null);
        assertEquals(403, read.statusCode());
        assertEquals("M_FORBIDDEN", TestHomeserver.json(read).path("errcode").asText());
    }

    private static String enc(String s) {
        return org.myelin.federation.client.FederationClient.encode(s);
    }

    @Test
    void readEndpointsServeTheRoomToMembersOnly() {
        Pdu message = fromFred(roomId, "read me");
        sendOk(List.of(message.jsonCopy()), List.of());
        String id = enc(message.eventId());
        String room = enc(roomId);

        JsonNode event = TestHomeserver.json(fake.request(a, "GET", "/_matrix/federation/v1/event/" + id, null));
        assertEquals("read me", event.path("pdus").get(0).path("content").path("body").asText());
        assertEquals(a.serverName(), event.path("origin").asText());

        JsonNode stateIds = TestHomeserver.json(fake.request(a, "GET",
                "/_matrix/federation/v1/state_ids/" + room + "?event_id=" + id, null));
        RoomHead head = rooms(a).heads.get(roomId).orElseThrow();
        List<String> ids = new ArrayList<>();
        stateIds.path("pdu_ids").forEach(n -> ids.add(n.asText()));
        assertTrue(ids.contains(head.currentState().get(StateKey.create())), stateIds.toString());
        assertTrue(ids.contains(head.currentState().get(StateKey.member(fred))), stateIds.toString());
        assertTrue(stateIds.path("auth_chain_ids").isArray());

        JsonNode state = TestHomeserver.json(fake.request(a, "GET",
                "/_matrix/federation/v1/state/" + room + "?event_id=" + id, null));
        assertEquals(ids.size(), state.path("pdus").size());

        JsonNode auth = TestHomeserver.json(fake.request(a, "GET",
                "/_matrix/federation/v1/event_auth/" + room + "/" + id, null));
        List<String> chain = new ArrayList<>();
        auth.path("auth_chain").forEach(e -> chain.add(Pdu.parse((ObjectNode) e, head.version()).eventId()));
        assertTrue(chain.containsAll(message.authEventIds()), "the auth events and theirs, recursively: " + chain);
        assertTrue(chain.contains(head.currentState().get(StateKey.member(alice))), chain.toString());

        JsonNode backfill = TestHomeserver.json(fake.request(a, "GET",
                "/_matrix/federation/v1/backfill/" + room + "?v=" + id + "&limit=3", null));
        assertEquals(3, backfill.path("pdus").size(), backfill.toString());
        assertEquals("read me", backfill.path("pdus").get(0).path("content").path("body").asText());

        ObjectNode missing = content();
        missing.putArray("earliest_events").add(head.currentState().get(StateKey.create()));
        missing.putArray("latest_events").add(message.eventId());
        missing.put("limit", 5);
        JsonNode found = TestHomeserver.json(fake.request(a, "POST",
                "/_matrix/federation/v1/get_missing_events/" + room, missing));
        assertEquals(5, found.path("events").size(), found.toString());

        assertEquals(404, fake.request(a, "GET", "/_matrix/federation/v1/event/%24unknown", null).statusCode());
        assertEquals(400, fake.request(a, "GET", "/_matrix/federation/v1/state_ids/" + room, null).statusCode());

        try (FakeRemoteServer stranger = FakeRemoteServer.start()) {
            assertEquals(403, stranger.request(a, "GET", "/_matrix/federation/v1/event/" + id, null).statusCode());
            assertEquals(403, stranger.request(a, "GET",
                    "/_matrix/federation/v1/state_ids/" + room + "?event_id=" + id, null).statusCode());
            assertEquals(403, stranger.request(a, "GET",
                    "/_matrix/federation/v1/backfill/" + room + "?v=" + id + "&limit=3", null).statusCode());
            assertEquals(403, stranger.request(a, "POST",
                    "/_matrix/federation/v1/get_missing_events/" + room, missing).statusCode());
        }
    }

    @Test
    void historyAServerMayNotSeeIsServedRedacted() {
        String room = FederatedRooms.createPublicRoom(a, alice);
        accepted(rooms(a).pipeline.submit(Input.LocalEvent.state(room, alice, "m.room.history_visibility", "",
                content("history_visibility", "joined"))));
        Pdu before = FederatedRooms.say(a, room, alice, "said before fred's server was here");
        joinFred(room);
        Pdu after = FederatedRooms.say(a, room, alice, "said after fred joined");

        JsonNode hidden = TestHomeserver.json(fake.request(a, "GET", "/_matrix/federation/v1/event/"
                + enc(before.eventId()), null)).path("pdus").get(0);
        assertTrue(hidden.path("content").isEmpty(), "redacted: " + hidden);
        assertEquals(before.eventId(), Pdu.parse((ObjectNode) hidden, before.roomVersion()).eventId(),
                "the same event, its hashes and signatures kept");
        JsonNode shown = TestHomeserver.json(fake.request(a, "GET", "/_matrix/federation/v1/event/"
                + enc(after.eventId()), null)).path("pdus").get(0);
        assertEquals("said after fred joined", shown.path("content").path("body").asText());

        JsonNode backfill = TestHomeserver.json(fake.request(a, "GET", "/_matrix/federation/v1/backfill/"
                + enc(room) + "?v=" + enc(after.eventId()) + "&limit=10", null)).path("pdus");
        Map<String, JsonNode> byId = new HashMap<>();
        backfill.forEach(e -> byId.put(Pdu.parse((ObjectNode) e, before.roomVersion()).eventId(), e));
        assertTrue(byId.get(before.eventId()).path("content").isEmpty(), "backfill redacts it too");
        assertEquals("said after fred joined", byId.get(after.eventId()).path("content").path("body").asText());
        assertEquals("joined", byId.values().stream().filter(e -> e.path("type").asText().equals("m.room.history_visibility"))
                .findFirst().orElseThrow().path("content").path("history_visibility").asText(),
                "events that matter to the room keep what redaction keeps");

        ObjectNode missing = content();
        missing.putArray("earliest_events");
        missing.putArray("latest_events").add(after.eventId());
        missing.put("limit", 10);
        JsonNode found = TestHomeserver.json(fake.request(a, "POST", "/_matrix/federation/v1/get_missing_events/"
                + enc(room), missing)).path("events");
        boolean sawBefore = false;
        for (JsonNode e : found) {
            if (Pdu.parse((ObjectNode) e, before.roomVersion()).eventId().equals(before.eventId())) {
                sawBefore = true;
                assertTrue(e.path("content").isEmpty(), "get_missing_events redacts it too");
            }
        }
        assertTrue(sawBefore, found.toString());
    }

    @Test
    void edusAreCheckedAndRouted() {
        edus.clear();
        ObjectNode typing = content("edu_type", "m.typing");
        typing.putObject("content").put("room_id", roomId).put("user_id", fred).put("typing", true);
        ObjectNode foreignTyping = content("edu_type", "m.typing");
        foreignTyping.putObject("content").put("room_id", roomId).put("user_id", alice).put("typing", true);
        ObjectNode receipt = content("edu_type", "m.receipt");
        receipt.putObject("content").putObject(roomId).putObject("m.read").putObject(fred)
                .put("event_ids", "x").putObject("data").put("ts", 1);
        ((ObjectNode) receipt.path("content").path(roomId).path("m.read").path(fred)).putArray("event_ids").add("$e");
        ObjectNode presence = content("edu_type", "m.presence");
        presence.putObject("content").putArray("push").addObject().put("user_id", fred).put("presence", "online")
                .put("last_active_ago", 5);
        ObjectNode device = content("edu_type", "org.example.unknown");
        device.putObject("content");
        sendOk(List.of(), List.of(typing, foreignTyping, receipt, presence, device));
        assertEquals(List.of(new InboundEdus.Typing(roomId, fred, true)),
                edus.stream().filter(e -> e instanceof InboundEdus.Typing).toList());
        assertEquals(1, edus.stream().filter(e -> e instanceof InboundEdus.Receipt).count());
        assertEquals(1, edus.stream().filter(e -> e instanceof InboundEdus.Presence).count());
        assertTrue(edus.contains("org.example.unknown"));
    }

    @Test
    void outboundTransactionsReachTheFakeAndAreRetriedWithTheSameId() {
        Pdu hello = FederatedRooms.say(a, roomId, alice, "hello fred");
        await("the fake got the PDU", () -> fake.receivedPdus().stream()
                .anyMatch(p -> p.path("content").path("body").asText().equals("hello fred")));

        await("nothing else is queued for the fake", () -> !new org.myelin.storage.federation.OutboundQueueRepository(
                a.homeserver().database().dataSource()).destinationsWithPending().contains(fake.serverName()));
        fake.sendStatus(500);
        Pdu retried = FederatedRooms.say(a, roomId, alice, "retried");
        await("A has failed at least twice",
                () -> a.homeserver().federation().backoff.failures(fake.serverName()) >= 2);
        fake.sendStatus(200);
        await("the fake got the retried PDU", () -> fake.receivedPdus().stream()
                .anyMatch(p -> p.path("content").path("body").asText().equals("retried")));
        FakeRemoteServer.Transaction delivered = fake.transactions().stream()
                .filter(t -> t.body().path("pdus").toString().contains("\"retried\"")).findFirst().orElseThrow();
        assertTrue(fake.transactionAttempts().stream().filter(delivered.txnId()::equals).count() >= 2,
                "the failed transaction was retried under the same id: " + fake.transactionAttempts());

        a.homeserver().federation().queueEdu(Set.of(fake.serverName()), new Edu("m.typing",
                content("room_id", roomId, "user_id", alice)));
        await("the fake got the EDU", () -> fake.transactions().stream()
                .anyMatch(t -> t.body().path("edus").toString().contains("m.typing")));
        assertTrue(hello.eventId().startsWith("$") && retried.eventId().startsWith("$"));
    }
}
