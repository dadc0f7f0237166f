package org.myelin.rooms.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.auth.AuthEventsSelection;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.head.RoomHead;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.myelin.rooms.pipeline.TestPipeline.accepted;
import static org.myelin.rooms.pipeline.TestPipeline.content;

/**
 * Events queued and not yet committed are found by whatever is built on them, however many
 * other events pass through the event cache meanwhile: the store does not have them yet, and
 * state resolution leaves out an event it cannot find.
 */
class UncommittedEventsIT {

    static final String ALICE = "@alice:hs.test";
    static final String REMOTE = "remote.test";
    static final String BOB = "@bob:" + REMOTE;
    static final SigningKey REMOTE_KEY = SigningKey.fromSeed("r1", TestPipeline.seed(REMOTE));

    static TestPipeline hs;
    static GatedDataSource gate;

    @BeforeAll
    static void start() {
        hs = new TestPipeline("hs.test");
        hs.knownKeys.put(REMOTE, REMOTE_KEY.verifyKey());
        hs.cacheCapacity = 4;
        hs.persisterDataSource = ds -> gate = new GatedDataSource(ds);
        hs.start();
    }

    @AfterAll
    static void stop() {
        gate.open();
        hs.close();
    }

    @Test
    void aStateEventAwaitingItsCommitIsInTheResolutionOfAForkOnIt() {
        String roomId = hs.createRoom("12", ALICE, "public");
        RoomHead head = hs.heads.get(roomId).orElseThrow();
        accepted(hs.submit(new Input.RemoteEvent(remote(head, "m.room.member", BOB, content("membership", "join")),
                REMOTE)));
        RoomHead joined = hs.heads.get(roomId).orElseThrow();

        List<CompletableFuture<Outcome>> local = new ArrayList<>();
        Pdu fork;
        List<CompletableFuture<Outcome>> received;
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        gate.close();
        try {
            local.add(queueLocal(threads, roomId, Input.LocalEvent.state(roomId, ALICE, "m.room.topic", "",
                    content("topic", "kept"))));
            // More events than the cache holds pass through it while the topic awaits its commit.
            for (int i = 0; i < 8; i++) {
                local.add(queueLocal(threads, roomId, Input.LocalEvent.message(roomId, ALICE, "m.room.message",
                        content("body", "message " + i))));
            }
            // Bob, on the head he joined at, has not seen any of them: a fork to resolve.
            fork = remote(joined, "m.room.message", null, content("body", "on my branch"));
            received = hs.pipeline.submitInOrder(List.of(new Input.RemoteEvent(fork, REMOTE)));
        } finally {
            gate.open();
            threads.close();
        }
        Pdu topic = accepted(local.getFirst().join());
        local.forEach(CompletableFuture::join);
        accepted(received.getFirst().join());

        RoomHead now = hs.heads.get(roomId).orElseThrow();
        assertEquals(2, now.forwardExtremities().size(), "the fork is one more extremity");
        assertEquals(topic.eventId(), now.currentState().get(StateKey.of("m.room.topic", "")),
                "the topic awaiting its commit is in the resolved state");
        hs.start();
        assertEquals(topic.eventId(), hs.heads.get(roomId).orElseThrow().currentState()
                .get(StateKey.of("m.room.topic", "")), "and in the state committed");
    }

    /** Submits a local event on its own thread and returns once it is queued (the room's head moved on). */
    private static CompletableFuture<Outcome> queueLocal(ExecutorService threads, String roomId, Input.LocalEvent event) {
        List<String> before = hs.heads.get(roomId).orElseThrow().forwardExtremities();
        CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(() -> hs.submit(event), threads);
        while (hs.heads.get(roomId).orElseThrow().forwardExtremities().equals(before) && !outcome.isDone()) {
            Thread.onSpinWait();
        }
        return outcome;
    }

    private static Pdu remote(RoomHead head, String type, String stateKey, ObjectNode content) {
        List<String> auth = new ArrayList<>();
        for (StateKey key : AuthEventsSelection.requiredFor(type, stateKey, BOB, content, head.version())) {
            String id = head.currentState().get(key);
            if (id != null) {
                auth.add(id);
            }
        }
        return EventBuilder.in(head.version(), head.roomId()).type(type).stateKey(stateKey).sender(BOB)
                .content(content).prevEvents(head.forwardExtremities()).authEvents(auth)
                .depth(head.maxDepth() + 1).originServerTs(System.currentTimeMillis()).build(REMOTE, REMOTE_KEY);
    }
}
