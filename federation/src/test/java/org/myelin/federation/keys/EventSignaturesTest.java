package org.myelin.federation.keys;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.base64.UnpaddedBase64;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.protocol.event.EventBuilder;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checking servers' signatures on events, each (event, server) once, many in parallel. */
class EventSignaturesTest {

    static final SigningKey KEY = SigningKey.fromSeed("k1", new byte[32]);

    final AtomicInteger lookups = new AtomicInteger();
    final List<Long> neededAt = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile boolean known = true;
    volatile CountDownLatch gate;

    final KeyLookup lookup = (server, keyId, at, allowOld) -> {
        lookups.incrementAndGet();
        neededAt.add(at);
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return known && server.equals("b.test") && keyId.equals(KEY.keyId())
                ? Optional.of(new KeyRing.UsableKey(KEY.verifyKey(), Long.MAX_VALUE, null)) : Optional.empty();
    };

    static Pdu event(RoomVersion version, int n) {
        EventBuilder b = EventBuilder.in(version, "!room:b.test").type("m.room.message").sender("@u:b.test")
                .content(JsonNodeFactory.instance.objectNode().put("n", n))
                .prevEvents(List.of()).authEvents(List.of()).depth(n).originServerTs(1000 + n);
        if (!version.eventFormat().eventIdIsHash()) {
            b.eventId("$e" + n + ":b.test");
        }
        return b.build("b.test", KEY);
    }

    @Test
    void acceptsTheSendersSignatureAndRefusesAForgedOrMissingOne() {
        EventSignatures signatures = new EventSignatures(lookup);
        Pdu good = event(RoomVersions.V10, 1);
        assertTrue(signatures.isSignedBy(good, "b.test"));

        ObjectNode forged = good.jsonCopy();
        forged.with("signatures").with("b.test").put(KEY.keyId(), UnpaddedBase64.encode(new byte[64]));
        assertFalse(signatures.isSignedBy(Pdu.parse(forged, RoomVersions.V10), "b.test"));

        ObjectNode unsigned = good.jsonCopy();
        unsigned.remove("signatures");
        assertFalse(signatures.isSignedBy(Pdu.parse(unsigned, RoomVersions.V10), "b.test"));
        assertFalse(signatures.isSignedBy(good, "c.test"), "no signature by another server");
    }

    @Test
    void checksAnEventOnceForManyConcurrentCallers() throws Exception {
        EventSignatures signatures = new EventSignatures(lookup);
        Pdu pdu = event(RoomVersions.V12, 2);
        gate = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 50; i++) {
                results.add(threads.submit(() -> signatures.isSignedBy(pdu, "b.test")));
            }
            while (lookups.get() == 0) {
                Thread.onSpinWait();
            }
            gate.countDown();
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        }
        assertTrue(signatures.isSignedBy(pdu, "b.test"));
        assertEquals(1, lookups.get(), "one check for the (event, server) pair");
    }

    @Test
    void doesNotRememberThatNoKeyWasFound() {
        EventSignatures signatures = new EventSignatures(lookup);
        Pdu pdu = event(RoomVersions.V10, 3);
        known = false;
        assertFalse(signatures.isSignedBy(pdu, "b.test"));
        known = true;
        assertTrue(signatures.isSignedBy(pdu, "b.test"), "the key arrived meanwhile");
    }

    @Test
    void verifiesManyEventsInParallel() {
        EventSignatures signatures = new EventSignatures(lookup);
        List<Pdu> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            events.add(event(RoomVersions.V11, 100 + i));
        }
        Map<String, Boolean> passed = signatures.verifyAll(events);
        assertEquals(200, passed.size());
        assertTrue(passed.values().stream().allMatch(b -> b));
        assertEquals(200, lookups.get());
        signatures.verifyAll(events);
        assertEquals(200, lookups.get(), "remembered");
    }

    @Test
    void keyValidityCountsAtTheEventsTimeFromRoomVersionFive() {
        EventSignatures signatures = new EventSignatures(lookup);
        assertTrue(signatures.isSignedBy(event(RoomVersions.V4, 7), "b.test"));
        assertEquals(-1L, neededAt.getLast(), "v4 ignores valid_until_ts");
        assertTrue(signatures.isSignedBy(event(RoomVersions.V5, 7), "b.test"));
        assertEquals(1007L, neededAt.getLast(), "v5 needs the key valid at origin_server_ts");
    }

    @Test
    void roomVersionsOneAndTwoAlsoNeedTheEventIdsServer() {
        Pdu v1 = event(RoomVersions.V1, 8);
        assertEquals(java.util.Set.of("b.test"), EventSignatures.requiredSigners(v1));
        ObjectNode json = v1.jsonCopy();
        json.put("event_id", "$e8:c.test");
        assertEquals(java.util.Set.of("b.test", "c.test"),
                EventSignatures.requiredSigners(Pdu.parse(json, RoomVersions.V1)));
    }
}
