package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.testing.FakeRemoteServer;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.server.testing.TestUser;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.federation.FederatedRooms.accepted;
import static org.myelin.server.federation.FederatedRooms.content;
import static org.myelin.server.federation.FederatedRooms.hasInTimeline;
import static org.myelin.server.federation.FederatedRooms.rooms;

/**
 * A server that hangs while Myelin fetches what its PDU lacks holds up that PDU only: a local
 * user's message to the same room is answered meanwhile, and the remote events land once the
 * server answers. Nothing that waits on the network runs under a room's lock.
 */
class SlowRemoteServerIT {

    /** How long the test waits for Myelin to ask the hanging server: a guard against a hang, not a measurement. */
    private static final Duration GUARD = Duration.ofSeconds(60);

    static TestHomeserver a;
    static FakeRemoteServer fake;
    static TestUser alice;
    static String fred;
    static String roomId;

    @BeforeAll
    static void start() {
        a = TestHomeserver.start();
        fake = FakeRemoteServer.start();
        alice = a.registerUser("alice");
        fred = fake.user("fred");
        roomId = a.expect(200, alice, "POST", "/_matrix/client/v3/createRoom", "{\"preset\":\"public_chat\"}")
                .path("room_id").asText();
        Pdu join = FederatedRooms.remoteEvent(a, roomId, fred, "m.room.member", fred, content("membership", "join"),
                fake.serverName(), fake.signingKey());
        accepted(rooms(a).pipeline.submit(new Input.RemoteEvent(join, fake.serverName())));
    }

    @AfterAll
    static void stop() {
        fake.close();
        a.close();
    }

    @Test
    void aLocalSendIsAnsweredWhileTheServerMissingEventsAreFetchedFromHangs() throws Exception {
        RoomHead head = rooms(a).heads.get(roomId).orElseThrow();
        Pdu gap = FederatedRooms.remoteEvent(a, roomId, fred, "m.room.message", null, content("body", "missed"),
                fake.serverName(), fake.signingKey());
        fake.serve(gap);
        Pdu next = fake.event(head.version(), roomId, fred, "m.room.message", null, content("body", "after the gap"),
                List.of(gap.eventId()), gap.authEventIds(), gap.depth() + 1);
        fake.serve(next);
        FakeRemoteServer.Hold hold = fake.hold("get_missing_events");

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<HttpResponse<String>> transaction = CompletableFuture.supplyAsync(() -> fake.request(a,
                    "PUT", "/_matrix/federation/v1/send/slow1", fake.transactionOf(List.of(next.jsonCopy()), List.of())),
                    threads);
            assertTrue(hold.awaitAsked(GUARD), "Myelin asks the sender for the events it misses");

            JsonNode sent = a.expect(200, alice, "PUT", "/_matrix/client/v3/rooms/" + TestHomeserver.enc(roomId)
                    + "/send/m.room.message/local1", "{\"msgtype\":\"m.text\",\"body\":\"meanwhile\"}");
            assertFalse(transaction.isDone(), "the remote PDU still waits for its missing events");
            assertFalse(hold.abandoned(), "Myelin is still waiting for the hanging server");
            assertTrue(hasInTimeline(a, sent.path("event_id").asText()));

            hold.release();
            HttpResponse<String> answer = transaction.join();
            assertEquals(200, answer.statusCode(), answer.body());
            JsonNode results = TestHomeserver.json(answer).path("pdus");
            assertFalse(results.path(next.eventId()).has("error"), results.toString());
        }
        assertTrue(hasInTimeline(a, gap.eventId()), "the missing event, fetched");
        assertTrue(hasInTimeline(a, next.eventId()), "the event that lacked it");
    }
}
