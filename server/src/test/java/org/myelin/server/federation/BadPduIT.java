package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.EventIds;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.http.Json;
import org.myelin.server.testing.BadJson;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.federation.FederatedRooms.accepted;
import static org.myelin.server.federation.FederatedRooms.content;
import static org.myelin.server.federation.FederatedRooms.rooms;
import static org.myelin.server.testing.TestHomeserver.enc;

/**
 * Hostile PDUs over federation {@code PUT /send}, each signed by the fake server that sends it,
 * each between two good PDUs of the same transaction: a bad one is rejected alone, the good ones
 * are accepted, an event holding U+0000 round-trips, and the room stays readable by /sync,
 * /messages and /context. What no signature can be checked on (a fraction, an unpaired surrogate,
 * nesting past all reason) makes the whole request 400 M_BAD_JSON, never 401 or 5xx.
 */
class BadPduIT {

    private static final String V3 = "/_matrix/client/v3";

    static TestHomeserver hs;
    static FakeRemoteServer fake;
    static TestUser alice;
    static String fred;
    static String roomId;
    static RoomVersion version;
    static int txn;

    /** A PDU to send, and whether it must be accepted. */
    record Case(String name, ObjectNode pdu, boolean accepted) {
    }

    @BeforeAll
    static void start() {
        hs = TestHomeserver.start();
        fake = FakeRemoteServer.start();
        alice = hs.registerUser("alice");
        fred = fake.user("fred");
        roomId = FederatedRooms.createPublicRoom(hs, alice.userId());
        version = RoomVersions.V12;
        Pdu join = FederatedRooms.remoteEvent(hs, roomId, fred, "m.room.member", fred, content("membership", "join"),
                fake.serverName(), fake.signingKey());
        accepted(rooms(hs).pipeline.submit(new Input.RemoteEvent(join, fake.serverName())));
    }

    @AfterAll
    static void stop() {
        fake.close();
        hs.close();
    }

    @Test
    void eachBadPduIsRejectedAloneAndTheRoomStaysReadable() {
        List<String> failures = new ArrayList<>();
        for (Case c : cases()) {
            ObjectNode before = message("good before " + c.name());
            ObjectNode after = message("good after " + c.name());
            HttpResponse<String> r = send(List.of(before, c.pdu(), after));
            if (r.statusCode() != 200) {
                failures.add(c.name() + ": " + r.statusCode() + " " + r.body());
                continue;
            }
            JsonNode results = TestHomeserver.json(r).path("pdus");
            for (ObjectNode good : List.of(before, after)) {
                if (results.path(EventIds.of(good, version)).has("error")) {
                    failures.add(c.name() + ": a good PDU was refused: " + results);
                }
            }
            String badId = eventIdOf(c.pdu());
            boolean refused = badId == null || !results.has(badId) || results.path(badId).has("error");
            if (refused == c.accepted()) {
                failures.add(c.name() + ": expected " + (c.accepted() ? "accepted" : "rejected") + ", got " + results);
            }
            if (c.accepted()) {
                HttpResponse<String> event = hs.authed(alice.accessToken(), "GET", room() + "/event/" + enc(badId),
                        null);
                if (event.statusCode() != 200 || !TestHomeserver.json(event).path("content")
                        .equals(c.pdu().path("content"))) {
                    failures.add(c.name() + ": did not round-trip: " + event.statusCode() + " " + event.body());
                }
            }
            failures.addAll(readable(c.name()));
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void aFractionIsBadJsonNotUnauthorized() {
        // No canonical form, so no signature of the request can be checked: the request is malformed.
        ObjectNode pdu = forged(e -> e.with("content").put("amount", new BigDecimal("1.5")));
        byte[] body = transactionBytes(List.of(message("beside a fraction"), pdu));
        String uri = "/_matrix/federation/v1/send/fraction";
        String authorization = fake.authorization("PUT", uri, hs.serverName(), content("any", "thing"));
        assertBadJson(fake.requestRaw(hs, "PUT", uri, body, authorization));
    }

    @Test
    void anUnpairedSurrogateOrNestingPastAllReasonIsBadJson() {
        String uri = "/_matrix/federation/v1/send/unencodable";
        String authorization = fake.authorization("PUT", uri, hs.serverName(), content("any", "thing"));
        for (String raw : List.of("\"\\ud800\"", "\"a\\udc00b\"", BadJson.deep(900),
                BadJson.deep(MatrixJson.MAX_PARSE_DEPTH))) {
            ObjectNode pdu = forged(e -> e.with("content").put("body", "\u0001BAD\u0001"));
            String text = new String(transactionBytes(List.of(pdu)), StandardCharsets.UTF_8)
                    .replace("\"\\u0001BAD\\u0001\"", raw);
            assertBadJson(fake.requestRaw(hs, "PUT", uri, text.getBytes(StandardCharsets.UTF_8), authorization));
        }
        assertTrue(readable("after unencodable requests").isEmpty());
    }

    @Test
    void aRemoteInviteWithNulInItsReasonLeavesTheInviteesSyncWorking() {
        TestUser dora = hs.registerUser("dora");
        String farRoom = "!far:" + fake.serverName();
        Pdu create = fake.event(RoomVersions.V11, farRoom, fake.user("host"), "m.room.create", "",
                content("room_version", "11"), List.of(), List.of(), 1);
        Pdu invite = fake.event(RoomVersions.V11, farRoom, fake.user("host"), "m.room.member", dora.userId(),
                content("membership", "invite", "reason", "hi\u0000", "displayname", "Do\u0000ra"),
                List.of(create.eventId()), List.of(create.eventId()), 2);
        ObjectNode body = Json.MAPPER.createObjectNode().put("room_version", "11");
        body.set("event", invite.json());
        body.putArray("invite_room_state").add(create.json()).add(fake.event(RoomVersions.V11, farRoom,
                fake.user("host"), "m.room.name", "", content("name", "Far\u0000away"), List.of(create.eventId()),
                List.of(create.eventId()), 2).json());
        HttpResponse<String> r = fake.request(hs, "PUT", "/_matrix/federation/v2/invite/" + enc(farRoom) + "/"
                + enc(invite.eventId()), body);
        assertEquals(200, r.statusCode(), r.body());

        HttpResponse<String> sync = hs.authed(dora.accessToken(), "GET", V3 + "/sync?timeout=0", null);
        assertEquals(200, sync.statusCode(), sync.body());
        JsonNode invited = TestHomeserver.json(sync).path("rooms").path("invite").path(farRoom);
        assertTrue(invited.toString().contains("hi\\u0000"), sync.body());
        String since = TestHomeserver.json(sync).path("next_batch").asText();
        assertEquals(200, hs.authed(dora.accessToken(), "POST", V3 + "/rooms/" + enc(farRoom) + "/leave", "{}")
                .statusCode());
        assertEquals(200, hs.authed(dora.accessToken(), "GET", V3 + "/sync?timeout=0", null).statusCode());
        assertEquals(200, hs.authed(dora.accessToken(), "GET", V3 + "/sync?timeout=0&since=" + enc(since), null)
                .statusCode());
    }

    /** The bad PDUs, each signed by the fake server. */
    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("U+0000 in the body", forged(e -> e.with("content").put("body", "hi\u0000there")), true));
        cases.add(new Case("U+0000 in a key", forged(e -> e.with("content").put("k\u0000", "v")), true));
        cases.add(new Case("U+0000 in a membership's reason and display name", forgedState("m.room.member", fred,
                content("membership", "join", "displayname", "Fr\u0000ed", "reason", "hi\u0000"), e -> { }), true));
        cases.add(new Case("U+0000 in a room name fred may not set (kept as rejected)", forgedState("m.room.name", "",
                content("name", "na\u0000me"), e -> { }), false));
        cases.add(new Case("U+0000 in the state key", forgedState("org.example.state", "k",
                content("a", "b"), e -> e.put("state_key", "k\u0000")), false));
        cases.add(new Case("U+0000 in the type", forged(e -> e.put("type", "m.room.\u0000message")), false));
        cases.add(new Case("U+0000 in redacts", forged(e -> {
            e.put("type", "m.room.redaction");
            e.with("content").put("redacts", "$abc\u0000");
        }), false));
        int atTheLimit = MatrixJson.MAX_DEPTH - 1;
        cases.add(new Case("content " + atTheLimit + " levels deep", forged(e -> e.set("content",
                parse(BadJson.deepObject(atTheLimit)))), true));
        for (int levels : List.of(MatrixJson.MAX_DEPTH, 150, MatrixJson.MAX_PARSE_DEPTH - 3)) {
            cases.add(new Case("content " + levels + " levels deep", forged(e -> e.set("content",
                    parse(BadJson.deepObject(levels)))), false));
        }
        cases.add(new Case("a float holding an integer", forged(e -> e.with("content").put("n", new BigDecimal("2.0"))),
                false));
        cases.add(new Case("a float past any double", forged(e -> e.with("content").put("n", new BigDecimal("1e400"))),
                false));
        cases.add(new Case("an integer past 2^53", forged(e -> e.with("content").put("n",
                BigInteger.ONE.shiftLeft(53).add(BigInteger.ONE))), false));
        cases.add(new Case("content that is a string", forged(e -> e.put("content", "text")), false));
        cases.add(new Case("a numeric type", forged(e -> e.put("type", 7)), false));
        cases.add(new Case("depth as a string", forged(e -> e.put("depth", "7")), false));
        cases.add(new Case("a 70 kB body", forged(e -> e.with("content").put("body", "x".repeat(70_000))), false));
        return cases;
    }

    /** A message of fred's built on the room's head, changed by {@code change}, then hashed and signed again. */
    private static ObjectNode forged(Consumer<ObjectNode> change) {
        return forgedState("m.room.message", null, content("body", "base"), change);
    }

    private static ObjectNode forgedState(String type, String stateKey, ObjectNode content,
                                          Consumer<ObjectNode> change) {
        ObjectNode event = FederatedRooms.remoteEvent(hs, roomId, fred, type, stateKey, content, fake.serverName(),
                fake.signingKey()).jsonCopy();
        event.remove("signatures");
        event.remove("hashes");
        event.remove("unsigned");
        change.accept(event);
        try {
            return EventSigning.hashAndSign(event, version, fake.serverName(), fake.signingKey());
        } catch (RuntimeException unsignable) {
            return event; // no canonical form: it cannot be signed, and cannot be checked either
        }
    }

    private static ObjectNode message(String body) {
        return FederatedRooms.remoteEvent(hs, roomId, fred, "m.room.message", null, content("msgtype", "m.text",
                "body", body), fake.serverName(), fake.signingKey()).jsonCopy();
    }

    private static String eventIdOf(ObjectNode pdu) {
        try {
            return EventIds.of(pdu, version);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The transaction as Jackson writes it (a float stays a float), signed over what the receiver will parse. */
    private static HttpResponse<String> send(List<ObjectNode> pdus) {
        byte[] body = transactionBytes(pdus);
        String uri = "/_matrix/federation/v1/send/bad" + (++txn);
        JsonNode parsed = MatrixJson.parse(body, MatrixJson.Numbers.LENIENT);
        return fake.requestRaw(hs, "PUT", uri, body, fake.authorization("PUT", uri, hs.serverName(), parsed));
    }

    private static byte[] transactionBytes(List<ObjectNode> pdus) {
        try {
            return Json.MAPPER.writeValueAsBytes(fake.transactionOf(pdus, List.of()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertBadJson(HttpResponse<String> r) {
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("M_BAD_JSON", TestHomeserver.json(r).path("errcode").asText(), r.body());
    }

    /** Alice's /sync, every page of /messages, and /context and /event of the latest events. */
    private static List<String> readable(String when) {
        List<String> failures = new ArrayList<>();
        HttpResponse<String> sync = hs.authed(alice.accessToken(), "GET", V3 + "/sync?timeout=0", null);
        if (sync.statusCode() != 200) {
            failures.add(when + ": /sync " + sync.statusCode() + " " + sync.body());
        }
        List<String> ids = new ArrayList<>();
        String from = "";
        do {
            HttpResponse<String> page = hs.authed(alice.accessToken(), "GET", room() + "/messages?dir=b&limit=200"
                    + (from.isEmpty() ? "" : "&from=" + enc(from)), null);
            if (page.statusCode() != 200) {
                failures.add(when + ": /messages " + page.statusCode() + " " + page.body());
                break;
            }
            JsonNode json = TestHomeserver.json(page);
            json.path("chunk").forEach(e -> ids.add(e.path("event_id").asText()));
            from = json.path("chunk").isEmpty() ? "" : json.path("end").asText("");
        } while (!from.isEmpty());
        for (String id : ids.subList(0, Math.min(5, ids.size()))) {
            HttpResponse<String> context = hs.authed(alice.accessToken(), "GET", room() + "/context/" + enc(id), null);
            if (context.statusCode() != 200) {
                failures.add(when + ": /context " + context.statusCode() + " " + context.body());
            }
        }
        HttpResponse<String> search = hs.authed(alice.accessToken(), "POST", V3 + "/user_directory/search",
                "{\"search_term\":\"fr\"}");
        if (search.statusCode() != 200) {
            failures.add(when + ": user directory " + search.statusCode() + " " + search.body());
        }
        return failures;
    }

    private static JsonNode parse(String json) {
        return MatrixJson.parse(json.getBytes(StandardCharsets.UTF_8), MatrixJson.Numbers.LENIENT);
    }

    private static String room() {
        return V3 + "/rooms/" + enc(roomId);
    }

    @Test
    void edusWhoseStringsCannotBeStoredAreDroppedAlone() {
        ObjectNode good = message("beside hostile EDUs");
        String target = EventIds.of(good, version);
        List<ObjectNode> edus = new ArrayList<>();
        for (String thread : List.of("main\u0000", "x".repeat(1 << 20), "not a thread")) {
            ObjectNode receipt = Json.MAPPER.createObjectNode().put("edu_type", "m.receipt");
            ObjectNode data = receipt.putObject("content").putObject(roomId).putObject("m.read").putObject(fred);
            data.putArray("event_ids").add(target);
            data.putObject("data").put("ts", 1).put("thread_id", thread);
            edus.add(receipt);
        }
        for (String status : List.of("away\u0000", "s".repeat(4 << 20))) {
            ObjectNode presence = Json.MAPPER.createObjectNode().put("edu_type", "m.presence");
            presence.putObject("content").putArray("push").addObject().put("user_id", fred).put("presence", "online")
                    .put("last_active_ago", 0).put("status_msg", status);
            edus.add(presence);
        }
        String uri = "/_matrix/federation/v1/send/edus" + (++txn);
        ObjectNode body = fake.transactionOf(List.of(good), edus);
        HttpResponse<String> r = fake.request(hs, "PUT", uri, body);
        assertEquals(200, r.statusCode(), r.body());
        assertFalse(TestHomeserver.json(r).path("pdus").path(target).has("error"), r.body());
        HttpResponse<String> sync = hs.authed(alice.accessToken(), "GET", V3 + "/sync?timeout=0", null);
        assertEquals(200, sync.statusCode(), sync.body());
        for (JsonNode presence : TestHomeserver.json(sync).path("presence").path("events")) {
            String status = presence.path("content").path("status_msg").asText("");
            assertFalse(status.contains("\u0000") || status.length() > 1024, "dropped: " + presence);
        }
        assertTrue(readable("after hostile EDUs").isEmpty());
    }

    @Test
    void eventIdsHoldingNulAreBadJsonNotAFailedQuery() {
        ObjectNode body = Json.MAPPER.createObjectNode().put("limit", 10);
        body.putArray("earliest_events").add("$a\u0000b");
        body.putArray("latest_events").add("$c\u0000d");
        HttpResponse<String> r = fake.request(hs, "POST", "/_matrix/federation/v1/get_missing_events/" + enc(roomId),
                body);
        assertBadJson(r);
    }

    @Test
    void goodPdusStillPassAlone() {
        HttpResponse<String> r = send(List.of(message("plain")));
        assertEquals(200, r.statusCode(), r.body());
        assertFalse(TestHomeserver.json(r).path("pdus").toString().contains("error"), r.body());
    }
}
