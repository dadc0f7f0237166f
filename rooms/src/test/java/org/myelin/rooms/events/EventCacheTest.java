package org.myelin.rooms.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.events.StoredEvent;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event cache: committed events within a memory budget, events awaiting their commit whatever it. */
class EventCacheTest {

    private static final SigningKey KEY = SigningKey.fromSeed("k", new byte[32]);

    private static Pdu event(int n, int bodyLength) {
        return EventBuilder.in(RoomVersions.V11, "!room:hs.test").type("m.room.message").sender("@a:hs.test")
                .content(JsonNodeFactory.instance.objectNode().put("body", "x".repeat(bodyLength)).put("n", n))
                .prevEvents(List.of()).authEvents(List.of()).depth(n + 1).originServerTs(n).build("hs.test", KEY);
    }

    @Test
    void keepsCommittedEventsWithinItsMemoryBudgetWhateverTheirNumber() {
        long budget = 1L << 20;
        EventCache cache = EventCache.within(new EventRepository(null), budget);
        List<Pdu> large = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Pdu pdu = event(i, 60_000);
            large.add(pdu);
            cache.committed(new StoredEvent(i + 1, pdu, (long) i, false, false, null));
        }
        int weight = EventCache.estimatedBytes(large.getFirst().json());
        assertTrue(weight > 120_000, "a 60 KB body weighs its size and more: " + weight);
        assertTrue(cache.committedCount() * weight <= budget, cache.committedCount() + " events of " + weight + " bytes kept");
        assertTrue(cache.committedCount() > 0);
    }

    @Test
    void holdsEventsAwaitingTheirCommitWhateverTheBudget() {
        EventCache cache = EventCache.within(new EventRepository(null), 1L << 20);
        List<Pdu> pending = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Pdu pdu = event(i, 60_000);
            pending.add(pdu);
            cache.pending(new StoredEvent(0, pdu, null, false, false, null));
        }
        for (int i = 0; i < 100; i++) {
            cache.committed(new StoredEvent(1000 + i, event(1000 + i, 60_000), (long) i, false, false, null));
        }
        for (Pdu pdu : pending) {
            assertEquals(pdu, cache.cached(pdu.eventId()).pdu(), "held until committed");
        }
        assertEquals(50, cache.pendingCount());
        cache.committed(new StoredEvent(7, pending.getFirst(), 7L, false, false, null));
        assertEquals(49, cache.pendingCount());
    }
}
