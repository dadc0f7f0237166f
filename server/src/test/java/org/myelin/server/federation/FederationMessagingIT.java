package org.myelin.server.federation;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.Pdu;
import org.myelin.server.testing.TestHomeserver;
import org.myelin.storage.federation.OutboundQueueRepository;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.server.federation.FederatedRooms.await;
import static org.myelin.server.federation.FederatedRooms.hasInTimeline;
import static org.myelin.server.federation.FederatedRooms.say;

/**
 * Two real homeservers sharing a room over HTTPS: what is sent on one reaches the other through
 * the outbound queue and {@code /send}, and a server that was down, or restarted, catches up.
 */
class FederationMessagingIT {

    static TestHomeserver a;
    static TestHomeserver b;
    static String alice;
    static String bob;
    static String roomId;

    @BeforeAll
    static void start() {
        // Short backoff, so that retries after a restart come soon.
        a = TestHomeserver.builder().configure(c -> c.withFederation(c.federation().withBackoff(200, 1000))).start();
        b = TestHomeserver.builder().configure(c -> c.withFederation(c.federation().withBackoff(200, 1000))).start();
        alice = "@alice:" + a.serverName();
        bob = "@bob:" + b.serverName();
        roomId = FederatedRooms.createPublicRoom(a, alice);
        FederatedRooms.joinRemote(a, roomId, b, bob);
        FederatedRooms.replicate(a, roomId, b);
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
    }

    private static boolean queueEmpty(TestHomeserver hs) {
        return new OutboundQueueRepository(hs.homeserver().database().dataSource()).destinationsWithPending().isEmpty();
    }

    @Test
    void messagesSentOnOneServerReachTheOther() {
        Pdu hello = say(a, roomId, alice, "hello from A");
        await("B has A's message", () -> hasInTimeline(b, hello.eventId()));
        Pdu reply = say(b, roomId, bob, "hello from B");
        await("A has B's reply", () -> hasInTimeline(a, reply.eventId()));
        await("A's queue is empty", () -> queueEmpty(a));
    }

    @Test
    void remoteServerCatchesUpAfterRestart() {
        b.stop();
        List<Pdu> sent = List.of(say(a, roomId, alice, "while B is down 1"), say(a, roomId, alice, "while B is down 2"),
                say(a, roomId, alice, "while B is down 3"));
        await("A has tried B and failed", () -> a.homeserver().federation().backoff.failures(b.serverName()) > 0);
        assertTrue(!queueEmpty(a), "A keeps B's PDUs queued");
        b.restart();
        for (Pdu p : sent) {
            await("B has " + p.eventId(), () -> hasInTimeline(b, p.eventId()));
        }
        await("A's queue is empty", () -> queueEmpty(a));
    }

    @Test
    void sendingServerRestartLosesNothing() {
        b.stop();
        Pdu queued = say(a, roomId, alice, "queued before A restarts");
        await("A has tried B and failed", () -> a.homeserver().federation().backoff.failures(b.serverName()) > 0);
        a.restart();
        b.restart();
        await("B has the PDU queued before A restarted", () -> hasInTimeline(b, queued.eventId()));
        Pdu after = say(a, roomId, alice, "after both restarted");
        await("B has the next one", () -> hasInTimeline(b, after.eventId()));
    }
}
