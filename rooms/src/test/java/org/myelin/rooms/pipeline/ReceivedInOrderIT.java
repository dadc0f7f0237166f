package org.myelin.rooms.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.head.RoomHead;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.rooms.pipeline.TestPipeline.accepted;
import static org.myelin.rooms.pipeline.TestPipeline.content;

/**
 * One room's received events submitted together ({@code /send}): each is built on the one before
 * without waiting for its commit, nothing is acknowledged before it is committed, they commit in
 * fewer database transactions than events, in the order sent, and a bad one fails alone.
 */
class ReceivedInOrderIT {

    static final String ALICE = "@alice:hs.test";
    static final String REMOTE = "remote.test";
    static final String BOB = "@bob:" + REMOTE;
    static final SigningKey REMOTE_KEY = SigningKey.fromSeed("r1", TestPipeline.seed(REMOTE));
    static final int EVENTS = 20;

    static TestPipeline hs;
    static GatedDataSource gate;

    @BeforeAll
    static void start() {
        hs = new TestPipeline("hs.test");
        hs.knownKeys.put(REMOTE, REMOTE_KEY.verifyKey());
        hs.persisterDataSource = ds -> gate = new GatedDataSource(ds);
        hs.start();
    }

    @AfterAll
    static void stop() {
        gate.open();
        hs.close();
    }

    @Test
    @Timeout(120) // would hang, not fail, if each event waited for its own commit
    void aRoomsEventsAreQueuedTogetherAndAcknowledgedOnlyOnceCommitted() {
        String roomId = hs.createRoom("12", ALICE, "public");
        RoomHead head = hs.heads.get(roomId).orElseThrow();
        accepted(hs.submit(new Input.RemoteEvent(event(head, "m.room.member", BOB, content("membership", "join"),
                head.forwardExtremities(), head.maxDepth() + 1), REMOTE)));
        head = hs.heads.get(roomId).orElseThrow();

        List<Input.RemoteEvent> inputs = new ArrayList<>();
        List<String> prevs = head.forwardExtremities();
        long depth = head.maxDepth();
        int bad = EVENTS / 2;
        for (int i = 0; i < EVENTS; i++) {
            Pdu pdu = event(head, "m.room.message", null, content("body", "message " + i), prevs, ++depth);
            if (i == bad) {
                // Correctly signed, not authorised: a stranger's message, off the chain.
                pdu = event(head, "m.room.message", null, content("body", "stranger"), prevs, depth,
                        "@eve:" + REMOTE);
                depth--;
            } else {
                prevs = List.of(pdu.eventId());
            }
            inputs.add(new Input.RemoteEvent(pdu, REMOTE));
        }
        int commitsBefore = hs.commits.get();

        gate.close();
        List<CompletableFuture<Outcome>> outcomes;
        try {
            outcomes = hs.pipeline.submitInOrder(inputs);
            for (int i = 0; i < EVENTS; i++) {
                if (i != bad) {
                    assertFalse(outcomes.get(i).isDone(), "event " + i + " is acknowledged before its commit");
                }
            }
        } finally {
            gate.open();
        }

        long lastOrdering = Long.MIN_VALUE;
        for (int i = 0; i < EVENTS; i++) {
            Outcome outcome = outcomes.get(i).join();
            if (i == bad) {
                assertInstanceOf(Outcome.Rejected.class, outcome);
                continue;
            }
            long ordering = assertInstanceOf(Outcome.Accepted.class, outcome).event().streamOrdering();
            assertTrue(ordering > lastOrdering, "committed in the order sent");
            lastOrdering = ordering;
        }
        int transactions = hs.commits.get() - commitsBefore;
        assertTrue(transactions < EVENTS - 1, EVENTS + " events committed in " + transactions + " transactions");
        String last = inputs.get(EVENTS - 1).pdu().eventId();
        assertEquals(List.of(last), hs.heads.get(roomId).orElseThrow().forwardExtremities());
        hs.start();
        assertEquals(List.of(last), hs.heads.get(roomId).orElseThrow().forwardExtremities());
    }

    @Test
    void theSameEventTwiceInOneSubmissionIsStoredOnce() {
        String roomId = hs.createRoom("12", ALICE, "public");
        RoomHead head = hs.heads.get(roomId).orElseThrow();
        Pdu join = event(head, "m.room.member", BOB, content("membership", "join"), head.forwardExtremities(),
                head.maxDepth() + 1);
        List<CompletableFuture<Outcome>> outcomes = hs.pipeline.submitInOrder(
                List.of(new Input.RemoteEvent(join, REMOTE), new Input.RemoteEvent(join, REMOTE)));
        long first = assertInstanceOf(Outcome.Accepted.class, outcomes.get(0).join()).event().streamOrdering();
        long second = assertInstanceOf(Outcome.Accepted.class, outcomes.get(1).join()).event().streamOrdering();
        assertEquals(first, second);
        assertEquals(List.of(join.eventId()), hs.heads.get(roomId).orElseThrow().forwardExtremities());
    }

    private static Pdu event(RoomHead head, String type, String stateKey, ObjectNode content, List<String> prevs,
                             long depth) {
        return event(head, type, stateKey, content, prevs, depth, BOB);
    }

    private static Pdu event(RoomHead head, String type, String stateKey, ObjectNode content, List<String> prevs,
                             long depth, String sender) {
        List<String> auth = new ArrayList<>();
        for (StateKey key : org.myelin.protocol.auth.AuthEventsSelection.requiredFor(type, stateKey, sender, content,
                head.version())) {
            String id = head.currentState().get(key);
            if (id != null) {
                auth.add(id);
            }
        }
        return EventBuilder.in(head.version(), head.roomId()).type(type).stateKey(stateKey).sender(sender)
                .content(content).prevEvents(prevs).authEvents(auth).depth(depth)
                .originServerTs(System.currentTimeMillis()).build(REMOTE, REMOTE_KEY);
    }
}
