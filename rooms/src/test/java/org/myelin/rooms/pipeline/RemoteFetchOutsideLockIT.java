package org.myelin.rooms.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.myelin.protocol.auth.AuthEventsSelection;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.ports.RemoteEvents;
import org.myelin.storage.events.StoredEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.myelin.rooms.pipeline.TestPipeline.accepted;
import static org.myelin.rooms.pipeline.TestPipeline.content;

/**
 * The state before a received event, fetched from a server that hangs, holds up that event
 * only: the room's lock is not held meanwhile, so a local event of the same room is committed
 * before the server answers. Live events and backfilled history alike.
 */
class RemoteFetchOutsideLockIT {

    static final String ALICE = "@alice:hs.test";
    static final String REMOTE = "remote.test";
    static final String BOB = "@bob:" + REMOTE;
    static final SigningKey REMOTE_KEY = SigningKey.fromSeed("r1", TestPipeline.seed(REMOTE));

    static TestPipeline hs;
    static HangingRemote remote;

    /** A remote server with no missing events to give, whose {@code /state_ids} answer waits for the test. */
    static final class HangingRemote implements RemoteEvents {
        volatile CountDownLatch asked = new CountDownLatch(1);
        volatile CountDownLatch release = new CountDownLatch(1);
        volatile List<Pdu> state = List.of();

        @Override
        public Optional<Pdu> event(String server, RoomVersion version, String eventId) {
            return Optional.empty();
        }

        @Override
        public List<Pdu> missingEvents(String server, RoomVersion version, String roomId, List<String> earliest,
                                       List<String> latest, int limit) {
            return List.of();
        }

        @Override
        public Optional<RemoteState> stateBefore(String server, RoomVersion version, String roomId, String eventId) {
            asked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of(new RemoteState(state, state));
        }
    }

    @BeforeAll
    static void start() {
        hs = new TestPipeline("hs.test");
        hs.knownKeys.put(REMOTE, REMOTE_KEY.verifyKey());
        hs.remote = remote = new HangingRemote();
    }

    @AfterAll
    static void stop() {
        remote.release.countDown();
        hs.close();
    }

    @BeforeEach
    void fresh() {
        remote.asked = new CountDownLatch(1);
        remote.release = new CountDownLatch(1);
    }

    /** A room Bob has joined; the server gives its current state when asked. */
    private static String roomWithBob() {
        String roomId = hs.createRoom("12", ALICE, "public");
        RoomHead head = hs.heads.get(roomId).orElseThrow();
        accepted(hs.submit(new Input.RemoteEvent(bob(head, head.forwardExtremities(), head.maxDepth() + 1,
                "m.room.member", BOB, content("membership", "join")), REMOTE)));
        RoomHead joined = hs.heads.get(roomId).orElseThrow();
        remote.state = hs.eventRepository.byIds(joined.currentState().values()).values().stream()
                .map(StoredEvent::pdu).toList();
        return roomId;
    }

    @Test
    // A guard, not a measurement: under the lock, the local event waited for the hanging server.
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLocalEventIsCommittedWhileTheStateBeforeAReceivedOneIsFetched() throws Exception {
        String roomId = roomWithBob();
        RoomHead head = hs.heads.get(roomId).orElseThrow();
        Pdu unseen = bob(head, head.forwardExtremities(), head.maxDepth() + 1, "m.room.message", null,
                content("body", "never sent"));
        Pdu after = bob(head, List.of(unseen.eventId()), head.maxDepth() + 2, "m.room.message", null,
                content("body", "after one we never got"));

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Outcome> received = CompletableFuture.supplyAsync(
                    () -> hs.submit(new Input.RemoteEvent(after, REMOTE)), threads);
            remote.asked.await();
            Pdu local = accepted(hs.submit(Input.LocalEvent.message(roomId, ALICE, "m.room.message",
                    content("body", "meanwhile"))));
            assertFalse(received.isDone(), "the received event still waits for its state");
            assertTrue(hs.eventRepository.byId(local.eventId()).isPresent(), "the local event is committed");

            remote.release.countDown();
            accepted(received.join());
        }
        assertTrue(hs.heads.get(roomId).orElseThrow().forwardExtremities().contains(after.eventId()));
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLocalEventIsCommittedWhileTheStateBeforeBackfilledHistoryIsFetched() throws Exception {
        String roomId = roomWithBob();
        RoomHead head = hs.heads.get(roomId).orElseThrow();
        Pdu unseen = bob(head, head.forwardExtremities(), head.maxDepth() + 1, "m.room.message", null,
                content("body", "never sent"));
        Pdu old = bob(head, List.of(unseen.eventId()), head.maxDepth() + 2, "m.room.message", null,
                content("body", "history"));

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<List<Outcome>> backfilled = CompletableFuture.supplyAsync(
                    () -> hs.pipeline.backfill(List.of(old), REMOTE), threads);
            remote.asked.await();
            accepted(hs.submit(Input.LocalEvent.message(roomId, ALICE, "m.room.message", content("body", "meanwhile"))));
            assertFalse(backfilled.isDone());

            remote.release.countDown();
            assertInstanceOf(Outcome.Accepted.class, backfilled.join().getFirst());
        }
    }

    private static Pdu bob(RoomHead head, List<String> prevs, long depth, String type, String stateKey,
                           ObjectNode content) {
        List<String> auth = new ArrayList<>();
        for (StateKey key : AuthEventsSelection.requiredFor(type, stateKey, BOB, content, head.version())) {
            String id = head.currentState().get(key);
            if (id != null) {
                auth.add(id);
            }
        }
        return EventBuilder.in(head.version(), head.roomId()).type(type).stateKey(stateKey).sender(BOB)
                .content(content).prevEvents(prevs).authEvents(auth).depth(depth)
                .originServerTs(System.currentTimeMillis()).build(REMOTE, REMOTE_KEY);
    }
}
