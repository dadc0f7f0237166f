package org.myelin.federation.keys;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.myelin.federation.testing.MutableClock;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.crypto.SigningKey;
import org.myelin.storage.Database;
import org.myelin.storage.federation.ServerKeyRepository;
import org.myelin.storage.testing.TestDatabases;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key ring on a real database, with a fake fetcher: direct fetches, self-signatures, notaries
 * and their signatures, key validity, old keys, refetch limits, one fetch at a time, notary answers.
 */
class KeyRingIT {

    static Database database;
    static int serverCounter;
    MutableClock clock;
    FakeFetcher fetcher;
    KeyRing ring;
    LocalKeys local;
    String server;
    SigningKey serverKey;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @BeforeEach
    void setUp() {
        clock = new MutableClock(java.time.Instant.now());
        fetcher = new FakeFetcher();
        server = "b" + (++serverCounter) + ".test";
        serverKey = key("b1", serverCounter);
        local = new LocalKeys("us.test", key("us", 0), new ServerKeyRepository(database.dataSource()), clock,
                Duration.ofDays(1));
        ring = new KeyRing(local, new ServerKeyRepository(database.dataSource()), fetcher, List.of("notary.test"), clock);
    }

    static SigningKey key(String version, int n) {
        byte[] seed = new byte[32];
        seed[0] = (byte) n;
        seed[1] = (byte) version.hashCode();
        return SigningKey.fromSeed(version, seed);
    }

    ObjectNode document(String name, SigningKey key, long validUntil) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("server_name", name);
        doc.putObject("verify_keys").putObject(key.keyId()).put("key", key.verifyKey().publicKeyBase64());
        doc.put("valid_until_ts", validUntil);
        return doc;
    }

    ObjectNode signed(String name, SigningKey key, long validUntil) {
        return JsonSigning.sign(document(name, key, validUntil), name, key);
    }

    long now() {
        return clock.millis();
    }

    @Test
    void fetchesAServersKeysOnceAndKeepsThemInTheDatabase() {
        fetcher.direct.put(server, signed(server, serverKey, now() + 3_600_000));
        assertTrue(ring.requestKey(server, serverKey.keyId()).isPresent());
        assertTrue(ring.requestKey(server, serverKey.keyId()).isPresent());
        assertEquals(1, fetcher.directCalls.get());
        KeyRing afterRestart = new KeyRing(local, new ServerKeyRepository(database.dataSource()), fetcher, List.of(),
                clock);
        assertEquals(serverKey.verifyKey(), afterRestart.requestKey(server, serverKey.keyId()).orElseThrow());
        assertEquals(1, fetcher.directCalls.get(), "no fetch after a restart");
    }

    @Test
    void refusesDocumentsNotSignedByTheServersOwnKeysOrForAnotherServer() {
        ObjectNode forged = JsonSigning.sign(document(server, serverKey, now() + 3_600_000), server, key("b1", 99));
        fetcher.direct.put(server, forged);
        assertTrue(ring.requestKey(server, serverKey.keyId()).isEmpty());
        clock.advance(Duration.ofMinutes(1));
        fetcher.direct.put(server, signed("other.test", serverKey, now() + 3_600_000));
        assertTrue(ring.requestKey(server, serverKey.keyId()).isEmpty());
        clock.advance(Duration.ofMinutes(1));
        fetcher.direct.put(server, document(server, serverKey, now() + 3_600_000));
        assertTrue(ring.requestKey(server, serverKey.keyId()).isEmpty(), "unsigned");
    }

    @Test
    void fallsBackToANotaryAndChecksTheNotarysSignature() {
        SigningKey notaryKey = key("n1", 1);
        fetcher.direct.put("notary.test", signed("notary.test", notaryKey, now() + 3_600_000));
        ObjectNode doc = signed(server, serverKey, now() + 3_600_000);
        fetcher.notary.put(server, List.of(JsonSigning.sign(doc, "notary.test", key("n1", 2))));
        assertTrue(ring.requestKey(server, serverKey.keyId()).isEmpty(), "the notary's signature is forged");

        clock.advance(Duration.ofMinutes(1));
        fetcher.notary.put(server, List.of(JsonSigning.sign(doc, "notary.test", notaryKey)));
        assertEquals(serverKey.verifyKey(), ring.requestKey(server, serverKey.keyId()).orElseThrow());
        assertTrue(fetcher.notaryCalls.get() >= 2);
    }

    @Test
    void keysCountUntilValidUntilButNeverMoreThanSevenDaysAhead() {
        fetcher.direct.put(server, signed(server, serverKey, now() + Duration.ofHours(1).toMillis()));
        assertTrue(ring.key(server, serverKey.keyId(), now() + Duration.ofMinutes(30).toMillis(), false).isPresent());
        assertTrue(ring.key(server, serverKey.keyId(), now() + Duration.ofHours(2).toMillis(), false).isEmpty(),
                "an event after valid_until_ts");
        assertTrue(ring.key(server, serverKey.keyId(), -1, false).isPresent(), "versions that ignore validity");

        String far = server + "far";
        fetcher.direct.put(far, signed(far, serverKey, now() + Duration.ofDays(30).toMillis()));
        assertTrue(ring.key(far, serverKey.keyId(), now() + Duration.ofDays(6).toMillis(), false).isPresent());
        assertTrue(ring.key(far, serverKey.keyId(), now() + Duration.ofDays(8).toMillis(), false).isEmpty(),
                "capped at 7 days from the fetch");
    }

    @Test
    void oldKeysCountForWhatTheySignedBeforeTheyExpired() {
        SigningKey old = key("old", 5);
        ObjectNode doc = document(server, serverKey, now() + 3_600_000);
        long expired = now() - Duration.ofHours(1).toMillis();
        doc.putObject("old_verify_keys").putObject(old.keyId()).put("key", old.verifyKey().publicKeyBase64())
                .put("expired_ts", expired);
        fetcher.direct.put(server, JsonSigning.sign(doc, server, serverKey));
        assertTrue(ring.key(server, old.keyId(), expired - 1000, true).isPresent());
        assertTrue(ring.key(server, old.keyId(), now(), true).isEmpty(), "signed after it expired");
        assertTrue(ring.key(server, old.keyId(), expired - 1000, false).isEmpty(), "never for requests");
        assertTrue(ring.requestKey(server, old.keyId()).isEmpty());
    }

    @Test
    void refetchesAMissingKeyAtMostEveryThirtySeconds() {
        fetcher.direct.put(server, signed(server, serverKey, now() + 3_600_000));
        assertTrue(ring.requestKey(server, "ed25519:rotated").isEmpty());
        assertTrue(ring.requestKey(server, "ed25519:rotated").isEmpty());
        assertEquals(1, fetcher.directCalls.get());
        clock.advance(Duration.ofSeconds(31));
        SigningKey rotated = SigningKey.fromSeed("rotated", new byte[32]);
        fetcher.direct.put(server, signed(server, rotated, now() + 3_600_000));
        assertEquals(rotated.verifyKey(), ring.requestKey(server, "ed25519:rotated").orElseThrow());
        assertEquals(2, fetcher.directCalls.get());
    }

    @Test
    void fetchesOneServersKeysOnceForManyConcurrentCallers() throws Exception {
        fetcher.direct.put(server, signed(server, serverKey, now() + 3_600_000));
        fetcher.gate = new CountDownLatch(1);
        List<Future<Boolean>> callers = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                callers.add(threads.submit(() -> ring.requestKey(server, serverKey.keyId()).isPresent()));
            }
            fetcher.entered.await();
            fetcher.gate.countDown();
            for (Future<Boolean> f : callers) {
                assertTrue(f.get());
            }
        }
        assertEquals(1, fetcher.directCalls.get());
    }

    @Test
    void answersNotaryQueriesFromTheCacheOrFetchesWhenItIsTooOld() {
        fetcher.direct.put(server, signed(server, serverKey, now() + 3_600_000));
        List<ObjectNode> docs = ring.documentsFor(server, Set.of(), now());
        assertEquals(1, docs.size());
        assertEquals(server, docs.getFirst().path("server_name").asText());
        assertEquals(1, fetcher.directCalls.get());
        ring.documentsFor(server, Set.of(serverKey.keyId()), now() + 1000);
        assertEquals(1, fetcher.directCalls.get(), "the cached document is valid long enough");

        clock.advance(Duration.ofMinutes(1));
        fetcher.direct.put(server, signed(server, serverKey, now() + 7_200_000));
        docs = ring.documentsFor(server, Set.of(serverKey.keyId()), now() + 5_000_000);
        assertEquals(2, fetcher.directCalls.get(), "refetched for a later minimum_valid_until_ts");
        assertEquals(now() + 7_200_000, docs.getFirst().path("valid_until_ts").asLong());

        clock.advance(Duration.ofMinutes(1));
        fetcher.direct.remove(server);
        docs = ring.documentsFor(server, Set.of(), now() + Duration.ofDays(3).toMillis());
        assertEquals(1, docs.size(), "the last document received, when the server is down");
        assertTrue(ring.documentsFor("never.test", Set.of(), now()).isEmpty());
        assertEquals("us.test", ring.documentsFor("us.test", Set.of(), now()).getFirst().path("server_name").asText());
    }

    @Test
    void aNotaryAsksAgainForAKeyClaimedValidForCenturiesAfterSevenDays() {
        long centuries = Duration.ofDays(365L * 300).toMillis();
        fetcher.direct.put(server, signed(server, serverKey, now() + centuries));
        assertEquals(1, ring.documentsFor(server, Set.of(), now()).size());
        clock.advance(Duration.ofDays(6));
        ring.documentsFor(server, Set.of(serverKey.keyId()), now());
        assertEquals(1, fetcher.directCalls.get(), "trusted for seven days");
        clock.advance(Duration.ofDays(2));
        fetcher.direct.put(server, signed(server, serverKey, now() + 3_600_000));
        List<ObjectNode> docs = ring.documentsFor(server, Set.of(), now());
        assertEquals(2, fetcher.directCalls.get(), "fetched again after seven days");
        assertEquals(now() + 3_600_000, docs.getFirst().path("valid_until_ts").asLong(), "the newer document");
    }

    @Test
    void aKeyStoredWithAFarFutureValidityBeforeTheBoundIsReplacedWhenFetchedAgain() {
        ObjectNode old = signed(server, serverKey, now() + Duration.ofDays(365L * 300).toMillis());
        new ServerKeyRepository(database.dataSource()).storeRemoteKeys(List.of(new ServerKeyRepository.RemoteKey(
                server, serverKey.keyId(), serverKey.verifyKey().publicKeyBase64(),
                old.path("valid_until_ts").asLong(), null, now() - Duration.ofDays(30).toMillis(),
                org.myelin.protocol.json.CanonicalJson.encode(old))), KeyRing.MAX_VALIDITY_MS);
        fetcher.direct.put(server, signed(server, serverKey, now() + 3_600_000));
        assertTrue(ring.requestKey(server, serverKey.keyId()).isPresent());
        assertEquals(1, fetcher.directCalls.get());
        KeyRing afterRestart = new KeyRing(local, new ServerKeyRepository(database.dataSource()), fetcher, List.of(),
                clock);
        assertTrue(afterRestart.requestKey(server, serverKey.keyId()).isPresent());
        assertEquals(1, fetcher.directCalls.get(), "the fresh answer replaced the stored one");
    }

    /** Answers from maps; counts calls; can hold direct fetches at a gate. */
    static final class FakeFetcher implements KeyFetcher {
        final Map<String, ObjectNode> direct = new ConcurrentHashMap<>();
        final Map<String, List<ObjectNode>> notary = new ConcurrentHashMap<>();
        final AtomicInteger directCalls = new AtomicInteger();
        final AtomicInteger notaryCalls = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch gate;

        @Override
        public ObjectNode serverKeys(String server) throws Exception {
            directCalls.incrementAndGet();
            entered.countDown();
            if (gate != null) {
                gate.await();
            }
            ObjectNode doc = direct.get(server);
            if (doc == null) {
                throw new java.io.IOException("unreachable");
            }
            return doc.deepCopy();
        }

        @Override
        public List<ObjectNode> notaryQuery(String notaryName, String server, long minimumValidUntilTs) {
            notaryCalls.incrementAndGet();
            return notary.getOrDefault(server, List.of());
        }
    }

    @Test
    void aDocumentWithoutKeysIsNoAnswer() {
        ObjectNode empty = JsonNodeFactory.instance.objectNode().put("server_name", server).put("valid_until_ts", now());
        empty.putObject("verify_keys");
        fetcher.direct.put(server, empty);
        assertFalse(ring.requestKey(server, serverKey.keyId()).isPresent());
    }
}
