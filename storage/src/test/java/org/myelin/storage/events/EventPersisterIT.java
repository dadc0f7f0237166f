package org.myelin.storage.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.storage.Database;
import org.myelin.storage.rooms.RoomRepository;
import org.myelin.storage.state.StateSnapshot;
import org.myelin.storage.state.StateSnapshotRepository;
import org.myelin.storage.testing.TestDatabases;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Group commit: many events per transaction, in order, and a bad one costs only itself. */
class EventPersisterIT {

    static final SigningKey KEY = SigningKey.fromSeed("t", new byte[32]);
    static Database db;
    static StateSnapshotRepository snapshots;
    static EventRepository events;
    static List<List<PersistedEvent>> commits = new CopyOnWriteArrayList<>();
    static EventPersister persister;

    @BeforeAll
    static void start() {
        db = TestDatabases.freshDatabase();
        snapshots = new StateSnapshotRepository(db.dataSource());
        events = new EventRepository(db.dataSource());
        persister = new EventPersister(db.dataSource(), snapshots, commits::add);
    }

    @AfterAll
    static void stop() {
        persister.close();
        db.close();
    }

    static Pdu message(String roomId, String prev, int i) {
        return EventBuilder.in(RoomVersions.V12, roomId).type("m.room.message").sender("@a:hs")
                .content(JsonNodeFactory.instance.objectNode().put("body", "m" + i))
                .prevEvents(prev == null ? List.of() : List.of(prev)).depth(i + 1).originServerTs(i)
                .build("hs", KEY);
    }

    static String newRoom() {
        String roomId = "!" + "r".repeat(30) + Long.toHexString(System.nanoTime()) + ":hs";
        new RoomRepository(db.dataSource()).create(roomId, RoomVersions.V12, 0);
        return roomId;
    }

    @Test
    void aBurstIsWrittenInFewTransactionsInQueueOrder() {
        String roomId = newRoom();
        StateSnapshot state = StateSnapshot.full(roomId, Map.of());
        List<CompletableFuture<PersistedEvent>> futures = new ArrayList<>();
        List<Pdu> pdus = new ArrayList<>();
        String prev = null;
        for (int i = 0; i < 300; i++) {
            Pdu pdu = message(roomId, prev, i);
            pdus.add(pdu);
            prev = pdu.eventId();
            futures.add(persister.persist(new PersistRequest(pdu, PersistRequest.Placement.LIVE, null, false,
                    state, state, null, null, List.of(pdu.eventId()))));
        }
        int before = commits.size();
        List<Long> orderings = futures.stream().map(f -> f.join().streamOrdering()).toList();
        for (int i = 1; i < orderings.size(); i++) {
            assertTrue(orderings.get(i) > orderings.get(i - 1), "stream order follows queue order");
        }
        assertTrue(commits.size() - before < 300, "several events share a commit");
        assertEquals(300, events.timeline(roomId, 0, Long.MAX_VALUE, 1000, false).size());
        assertEquals(pdus.getLast().eventId(),
                new RoomRepository(db.dataSource()).head(roomId).orElseThrow().forwardExtremities().getFirst());
    }

    @Test
    void aBadRequestInABatchFailsAloneAndTheOthersCommit() {
        String roomId = newRoom();
        StateSnapshot good = StateSnapshot.full(roomId, Map.of());
        StateSnapshot missing = StateSnapshot.existing(roomId, 987_654_321L, 0);
        List<CompletableFuture<PersistedEvent>> futures = new ArrayList<>();
        List<Pdu> pdus = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Pdu pdu = message(roomId, null, i);
            pdus.add(pdu);
            StateSnapshot state = i == 7 ? missing : good;
            futures.add(persister.persist(new PersistRequest(pdu, PersistRequest.Placement.LIVE, null, false,
                    state, state, null, null)));
        }
        for (int i = 0; i < 20; i++) {
            if (i == 7) {
                CompletableFuture<PersistedEvent> bad = futures.get(i);
                assertThrows(CompletionException.class, bad::join);
                assertFalse(events.byId(pdus.get(i).eventId()).isPresent(), "nothing of the bad event is kept");
            } else {
                assertTrue(futures.get(i).join().visible());
                assertTrue(events.byId(pdus.get(i).eventId()).isPresent());
            }
        }
    }

    @Test
    void theSameEventTwiceInOneBatchIsStoredOnce() {
        String roomId = newRoom();
        StateSnapshot state = StateSnapshot.full(roomId, Map.of(StateKey.create(), "$x"));
        Pdu pdu = message(roomId, null, 1);
        PersistRequest request = new PersistRequest(pdu, PersistRequest.Placement.LIVE, null, false, state, state,
                null, null);
        CompletableFuture<PersistedEvent> first = persister.persist(request);
        CompletableFuture<PersistedEvent> second = persister.persist(request);
        assertFalse(first.join().alreadyKnown());
        assertTrue(second.join().alreadyKnown());
        assertEquals(first.join().nid(), second.join().nid());
        assertEquals(1, events.timeline(roomId, 0, Long.MAX_VALUE, 10, false).size());
    }

    @Test
    void anOutlierTakingItsPlaceAmongNewEventsGetsItsPositionInRequestOrder() {
        String roomId = newRoom();
        StateSnapshot state = StateSnapshot.full(roomId, Map.of());
        Pdu outlier = message(roomId, null, 1);
        PersistedEvent stored = persister.persist(PersistRequest.outlier(outlier, null)).join();
        List<CompletableFuture<PersistedEvent>> futures = new ArrayList<>();
        for (Pdu pdu : List.of(message(roomId, null, 2), outlier, message(roomId, null, 3))) {
            futures.add(persister.persist(new PersistRequest(pdu, PersistRequest.Placement.LIVE, null, false,
                    state, state, null, null)));
        }
        List<PersistedEvent> done = futures.stream().map(CompletableFuture::join).toList();
        assertEquals(stored.nid(), done.get(1).nid());
        assertFalse(done.get(1).alreadyKnown());
        assertTrue(done.get(0).streamOrdering() < done.get(1).streamOrdering());
        assertTrue(done.get(1).streamOrdering() < done.get(2).streamOrdering());
        assertEquals(3, events.timeline(roomId, 0, Long.MAX_VALUE, 10, false).size());
    }
}
