package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.federation.MatrixClient.enc;

/**
 * Jumping to a date (client-server API {@code GET /rooms/{roomId}/timestamp_to_event},
 * server-server API {@code GET /timestamp_to_event/{roomId}}): the closest event either way among
 * a server's own; the federation endpoint for servers in the room, over signed requests; and a
 * second Myelin that joined late, whose history has a gap, asking the first for what it lacks and
 * fetching it so that its user can read around it.
 */
class TimestampToEventIT {

    static TestHomeserver first;
    static TestHomeserver second;
    static FakeRemoteServer remote;

    @BeforeAll
    static void start() {
        first = TestHomeserver.start();
        second = TestHomeserver.start();
        remote = FakeRemoteServer.start();
    }

    @AfterAll
    static void stop() {
        remote.close();
        second.close();
        first.close();
    }

    private static String clientPath(String roomId, String dir, long ts) {
        return "/_matrix/client/v1/rooms/" + enc(roomId) + "/timestamp_to_event?dir=" + dir + "&ts=" + ts;
    }

    private static String federationPath(String roomId, String dir, long ts) {
        return "/_matrix/federation/v1/timestamp_to_event/" + enc(roomId) + "?ts=" + ts + "&dir=" + dir;
    }

    /** A message sent once the clock has passed every earlier event's time, so that no two share one. */
    private static Sent sendAfter(MatrixClient sender, String roomId, String body, long after) {
        while (System.currentTimeMillis() <= after) {
            Thread.onSpinWait();
        }
        String eventId = sender.send(roomId, body);
        long ts = sender.ok("GET", MatrixClient.V3 + "/rooms/" + enc(roomId) + "/event/" + enc(eventId), null)
                .path("origin_server_ts").asLong();
        return new Sent(eventId, ts);
    }

    private record Sent(String eventId, long ts) {
    }

    private static void assertClosest(JsonNode answer, Sent expected) {
        assertEquals(expected.eventId(), answer.path("event_id").asText(), answer::toString);
        assertEquals(expected.ts(), answer.path("origin_server_ts").asLong());
    }

    @Test
    void theClosestLocalEventEitherWay() {
        MatrixClient alice = MatrixClient.register(first, "alice-local");
        String roomId = alice.createRoom("{}");
        Sent m1 = sendAfter(alice, roomId, "one", 0);
        Sent m2 = sendAfter(alice, roomId, "two", m1.ts());
        Sent m3 = sendAfter(alice, roomId, "three", m2.ts());

        assertClosest(alice.ok("GET", clientPath(roomId, "f", m2.ts()), null), m2);
        assertClosest(alice.ok("GET", clientPath(roomId, "b", m2.ts()), null), m2);
        assertClosest(alice.ok("GET", clientPath(roomId, "f", m2.ts() + 1), null), m3);
        assertClosest(alice.ok("GET", clientPath(roomId, "b", m2.ts() - 1), null), m1);
        HttpResponse<String> none = alice.call("GET", clientPath(roomId, "f", m3.ts() + 1), null);
        assertEquals(404, none.statusCode(), none::body);
        assertEquals("M_NOT_FOUND", TestHomeserverJson.errcode(none));
        assertEquals(404, alice.call("GET", clientPath(roomId, "b", 0), null).statusCode());
    }

    @Test
    void otherServersInTheRoomAskOverSignedRequests() {
        MatrixClient alice = MatrixClient.register(first, "alice-fed");
        String roomId = alice.createRoom("{\"preset\":\"public_chat\"}");
        Sent m1 = sendAfter(alice, roomId, "one", 0);
        Sent m2 = sendAfter(alice, roomId, "two", m1.ts());

        HttpResponse<String> outsider = remote.request(first, "GET", federationPath(roomId, "f", m2.ts()), null);
        assertEquals(403, outsider.statusCode(), outsider::body);
        assertEquals("M_FORBIDDEN", TestHomeserverJson.errcode(outsider));

        joinFromTheFakeServer(roomId);
        HttpResponse<String> answer = remote.request(first, "GET", federationPath(roomId, "b", m2.ts() - 1), null);
        assertEquals(200, answer.statusCode(), answer::body);
        assertClosest(TestHomeserver.json(answer), m1);
        HttpResponse<String> forwards = remote.request(first, "GET", federationPath(roomId, "f", m1.ts() + 1), null);
        assertClosest(TestHomeserver.json(forwards), m2);

        HttpResponse<String> none = remote.request(first, "GET", federationPath(roomId, "f", Long.MAX_VALUE), null);
        assertEquals(404, none.statusCode(), none::body);
        assertEquals("M_NOT_FOUND", TestHomeserverJson.errcode(none));
        assertEquals(404, remote.request(first, "GET", federationPath("!unknown:" + first.serverName(), "f", 0), null)
                .statusCode());
        HttpResponse<String> noTs = remote.request(first, "GET", "/_matrix/federation/v1/timestamp_to_event/"
                + enc(roomId) + "?dir=f", null);
        assertEquals(400, noTs.statusCode(), noTs::body);
        assertEquals("M_MISSING_PARAM", TestHomeserverJson.errcode(noTs));
        HttpResponse<String> badDir = remote.request(first, "GET", federationPath(roomId, "x", 0), null);
        assertEquals(400, badDir.statusCode(), badDir::body);
        assertEquals("M_INVALID_PARAM", TestHomeserverJson.errcode(badDir));
        HttpResponse<String> unsigned = remote.request(first, "GET", federationPath(roomId, "f", 0), null, null);
        assertEquals(401, unsigned.statusCode(), unsigned::body);
    }

    /** The fake server's user joins through make_join and send_join. */
    private static void joinFromTheFakeServer(String roomId) {
        String user = remote.user("fred");
        HttpResponse<String> made = remote.request(first, "GET", "/_matrix/federation/v1/make_join/" + enc(roomId)
                + "/" + enc(user) + "?ver=12", null);
        assertEquals(200, made.statusCode(), made::body);
        JsonNode template = TestHomeserver.json(made);
        ObjectNode event = ((ObjectNode) template.path("event")).deepCopy();
        event.put("origin_server_ts", System.currentTimeMillis());
        Pdu join = remote.resign(event, RoomVersions.find(template.path("room_version").asText()).orElseThrow());
        HttpResponse<String> sent = remote.request(first, "PUT", "/_matrix/federation/v2/send_join/" + enc(roomId)
                + "/" + enc(join.eventId()), join.json());
        assertEquals(200, sent.statusCode(), sent::body);
    }

    @Test
    void aServerWithAGapAsksTheOthersAndFetchesTheirCloserEvent() {
        MatrixClient alice = MatrixClient.register(first, "alice-gap");
        MatrixClient bob = MatrixClient.register(second, "bob-gap");
        String roomId = alice.createRoom("{\"preset\":\"public_chat\"}");
        Sent early0 = sendAfter(alice, roomId, "early 0", 0);
        Sent early1 = sendAfter(alice, roomId, "early 1", early0.ts());
        List<Sent> fillers = new ArrayList<>();
        long last = early1.ts();
        for (int i = 0; i < 30; i++) {
            Sent filler = sendAfter(alice, roomId, "filler " + i, last);
            fillers.add(filler);
            last = filler.ts();
        }
        bob.join(roomId, first.serverName());
        // The join brought the latest history only: the early events are not in the second server's timeline.
        assertFalse(FederatedRooms.hasInTimeline(second, early0.eventId()));
        assertFalse(FederatedRooms.hasInTimeline(second, early1.eventId()));
        assertFalse(FederatedRooms.hasInTimeline(second, fillers.get(2).eventId()));

        // Nothing here at or before the time: the first server answers, and its event is fetched.
        assertClosest(bob.ok("GET", clientPath(roomId, "b", early1.ts()), null), early1);
        assertTrue(FederatedRooms.hasInTimeline(second, early1.eventId()));
        // The closest here (early 1) follows a gap: the first server has an event closer to the time.
        assertClosest(bob.ok("GET", clientPath(roomId, "f", early0.ts()), null), early0);
        // The closest here before the time (early 1) has a gap after it: filler 2 is closer.
        assertClosest(bob.ok("GET", clientPath(roomId, "b", fillers.get(2).ts()), null), fillers.get(2));

        // Each is in the second server's timeline now, for its user to read around.
        for (Sent fetched : List.of(early0, early1, fillers.get(2))) {
            JsonNode context = bob.ok("GET", MatrixClient.V3 + "/rooms/" + enc(roomId) + "/context/"
                    + enc(fetched.eventId()) + "?limit=0", null);
            assertEquals(fetched.eventId(), context.path("event").path("event_id").asText());
        }
        // Before the first message, the first server's answer is a state event of the room's
        // creation, which the second holds as an outlier (from the join): placed, not fetched.
        JsonNode beforeAll = alice.ok("GET", clientPath(roomId, "b", early0.ts() - 1), null);
        String stateEventId = beforeAll.path("event_id").asText();
        assertTrue(FederatedRooms.rooms(second).events.byId(stateEventId).orElseThrow().outlier());
        assertEquals(stateEventId, bob.ok("GET", clientPath(roomId, "b", early0.ts() - 1), null)
                .path("event_id").asText());
        assertTrue(FederatedRooms.hasInTimeline(second, stateEventId));

        // The newest of the history it holds is followed by the join: no gap, the answer is its own.
        Sent latest = fillers.getLast();
        assertClosest(bob.ok("GET", clientPath(roomId, "b", latest.ts()), null), latest);
    }
}
