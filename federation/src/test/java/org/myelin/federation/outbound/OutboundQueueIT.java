package org.myelin.federation.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.myelin.federation.FederationSettings;
import org.myelin.federation.client.Backoff;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.storage.Database;
import org.myelin.storage.events.EventPersister;
import org.myelin.storage.events.PersistRequest;
import org.myelin.storage.federation.OutboundQueueRepository;
import org.myelin.storage.state.StateSnapshot;
import org.myelin.storage.state.StateSnapshotRepository;
import org.myelin.storage.testing.TestDatabases;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbound queue on a real database with a fake sender: batching, one transaction in flight
 * per destination, retries with the same transaction id, persistence across restarts, catching
 * up on events committed but never queued, and a destination coming back.
 */
class OutboundQueueIT {

    static final String US = "a.test";
    static final SigningKey KEY = SigningKey.fromSeed("k", new byte[32]);
    static final String ROOM = "!room:a.test";

    Database database;
    EventPersister persister;
    OutboundQueueRepository repository;
    FakeSender sender;
    OutboundQueue queue;
    int depth;

    @BeforeEach
    void open() {
        database = TestDatabases.freshDatabase();
        persister = new EventPersister(database.dataSource(), new StateSnapshotRepository(database.dataSource()),
                batch -> { });
        repository = new OutboundQueueRepository(database.dataSource());
        sender = new FakeSender();
    }

    @AfterEach
    void close() {
        if (queue != null) {
            queue.close();
        }
        persister.close();
        database.close();
    }

    OutboundQueue start(Duration backoffInitial, Duration backoffMax) {
        queue = new OutboundQueue(US, repository, room -> List.of(US, "b.test"), sender,
                new Backoff(new FederationSettings.BackoffSettings(backoffInitial, backoffMax), Clock.systemUTC()),
                Clock.systemUTC());
        queue.start();
        return queue;
    }

    /** A local message, committed to the timeline. */
    Pdu committed(String body) {
        Pdu pdu = EventBuilder.in(RoomVersions.V10, ROOM).type("m.room.message").sender("@alice:" + US)
                .content(JsonNodeFactory.instance.objectNode().put("body", body))
                .prevEvents(List.of()).authEvents(List.of()).depth(++depth).originServerTs(depth).build(US, KEY);
        StateSnapshot state = StateSnapshot.full(ROOM, Map.of());
        persister.persist(new PersistRequest(pdu, PersistRequest.Placement.LIVE, null, false, state, state, null,
                null)).join();
        return pdu;
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void sendsAtMostFiftyPdusAndAHundredEdusPerTransactionInOrderOneAtATime() {
        sender.slow = true;
        start(Duration.ofMillis(10), Duration.ofMillis(100));
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            Pdu p = committed("m" + i);
            sent.add(p.eventId());
            queue.send(p, Set.of("b.test"));
        }
        for (int i = 0; i < 150; i++) {
            queue.queueEdu("b.test", new Edu("m.presence", JsonNodeFactory.instance.objectNode().put("n", i)));
        }
        await("everything delivered", () -> sender.pdusTo("b.test").size() == 120 && sender.edusTo("b.test") == 150);
        for (FakeSender.Sent t : sender.sent) {
            assertTrue(t.body().path("pdus").size() <= 50, "at most 50 PDUs");
            assertTrue(t.body().path("edus").size() <= 100, "at most 100 EDUs");
            assertEquals(US, t.body().path("origin").asText());
        }
        assertTrue(sender.sent.size() >= 3, "120 PDUs need at least three transactions");
        assertEquals(sent, sender.pdusTo("b.test"), "in commit order, each once");
        assertEquals(1, sender.maxInFlight.get(), "one transaction in flight per destination");
        await("the queue is empty", () -> repository.destinationsWithPending().isEmpty());
    }

    @Test
    void retriesAFailedTransactionWithTheSameId() {
        sender.failures.set(2);
        start(Duration.ofMillis(10), Duration.ofMillis(50));
        Pdu p = committed("retry me");
        queue.send(p, Set.of("b.test"));
        await("delivered", () -> sender.pdusTo("b.test").contains(p.eventId()));
        assertEquals(3, sender.attempts.size());
        assertEquals(1, sender.attempts.stream().distinct().count(), "the same txnId each time: " + sender.attempts);
    }

    @Test
    void aRestartResumesWhatWasQueued() {
        sender.failures.set(Integer.MAX_VALUE);
        start(Duration.ofHours(1), Duration.ofHours(1));
        Pdu p = committed("survive a restart");
        queue.send(p, Set.of("b.test"));
        queue.queueEdu("b.test", new Edu("m.typing", JsonNodeFactory.instance.objectNode()));
        await("queued and tried", () -> !sender.attempts.isEmpty());
        queue.close();

        sender.failures.set(0);
        start(Duration.ofMillis(10), Duration.ofMillis(50));
        await("delivered after the restart", () -> sender.pdusTo("b.test").contains(p.eventId())
                && sender.edusTo("b.test") == 1);
    }

    @Test
    void queuesLocalEventsCommittedButNeverHandedOver() {
        repository.position(); // the queue existed before these events
        Pdu lost = committed("committed just before a crash");
        start(Duration.ofMillis(10), Duration.ofMillis(50));
        await("caught up", () -> sender.pdusTo("b.test").contains(lost.eventId()));
        Pdu next = committed("after");
        queue.send(next, Set.of("b.test"));
        await("and goes on", () -> sender.pdusTo("b.test").contains(next.eventId()));
        assertEquals(1, sender.pdusTo("b.test").stream().filter(lost.eventId()::equals).count());
    }

    @Test
    void aDestinationThatComesBackIsSentToAtOnce() {
        sender.failures.set(1);
        start(Duration.ofHours(1), Duration.ofHours(1));
        Pdu p = committed("wait for me");
        queue.send(p, Set.of("b.test"));
        await("the first attempt failed", () -> sender.attempts.size() == 1);
        queue.remoteServerUp("b.test");
        await("sent without waiting an hour", () -> sender.pdusTo("b.test").contains(p.eventId()));
    }

    @Test
    void aFailingDestinationDoesNotHoldUpOthers() {
        sender.failing.add("down.test");
        start(Duration.ofHours(1), Duration.ofHours(1));
        Pdu p = committed("to both");
        queue.send(p, Set.of("down.test", "b.test"));
        await("b got it", () -> sender.pdusTo("b.test").contains(p.eventId()));
        assertTrue(repository.destinationsWithPending().contains("down.test"));
        queue.send(p, Set.of(US));
        assertEquals(List.of("down.test"), repository.destinationsWithPending(), "never to ourselves");
    }

    /** Records transactions; fails on demand; tracks how many are in flight per destination. */
    static final class FakeSender implements OutboundQueue.Sender {
        record Sent(String destination, String txnId, ObjectNode body) {
        }

        final List<Sent> sent = new CopyOnWriteArrayList<>();
        final List<String> attempts = new CopyOnWriteArrayList<>();
        final AtomicInteger failures = new AtomicInteger();
        final Set<String> failing = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        volatile boolean slow;

        @Override
        public Map<String, String> send(String destination, String txnId, ObjectNode transaction) throws Exception {
            attempts.add(txnId);
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                if (slow) {
                    Thread.sleep(5);
                }
                if (failing.contains(destination) || failures.getAndUpdate(f -> Math.max(0, f - 1)) > 0) {
                    throw new java.io.IOException("down");
                }
                sent.add(new Sent(destination, txnId, transaction));
                return Map.of();
            } finally {
                inFlight.decrementAndGet();
            }
        }

        List<String> pdusTo(String destination) {
            List<String> ids = new ArrayList<>();
            for (Sent s : sent) {
                if (s.destination().equals(destination)) {
                    for (JsonNode pdu : s.body().path("pdus")) {
                        ids.add(Pdu.parse((ObjectNode) pdu, RoomVersions.V10).eventId());
                    }
                }
            }
            return ids;
        }

        int edusTo(String destination) {
            return sent.stream().filter(s -> s.destination().equals(destination))
                    .mapToInt(s -> s.body().path("edus").size()).sum();
        }
    }
}
