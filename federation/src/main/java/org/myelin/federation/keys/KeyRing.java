package org.myelin.federation.keys;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.crypto.VerifyKey;
import org.myelin.protocol.json.MatrixJson;
import org.myelin.storage.federation.ServerKeyRepository;
import org.myelin.storage.federation.ServerKeyRepository.RemoteKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Set;
import java.util.Comparator;

/**
 * Other servers' signing keys (server-server API, "Retrieving server keys"): fetched from the
 * server itself, or through the configured notaries when it cannot be reached, kept in the
 * database and in memory. A document is used only if its server signed it, and a notary's answer
 * only if the notary signed it too.
 *
 * <p>A key counts until its document's {@code valid_until_ts}, but never more than 7 days after
 * it was fetched (the spec's cap, kept as the key's validity when it is stored); an old key counts
 * for what was signed before its {@code expired_ts}. A missing or outdated key is fetched again,
 * at most once per {@link #REFETCH_INTERVAL} per server, one fetch per server at a time. As a
 * notary, a document is answered from the cache only within that bound too: a server claiming
 * its key valid for centuries is asked again after 7 days like any other.
 */
public final class KeyRing implements KeyLookup {

    private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);
    /** The spec's cap on how far ahead a {@code valid_until_ts} is believed. */
    static final long MAX_VALIDITY_MS = Duration.ofDays(7).toMillis();
    /** Least time between two fetches of one server's keys. */
    static final long REFETCH_INTERVAL = Duration.ofSeconds(30).toMillis();
    /**
     * Least time before fetching again after a fetch that found nothing: short, so that one failed
     * exchange does not make every signature of that server unverifiable for {@link #REFETCH_INTERVAL}.
     */
    static final long REFETCH_AFTER_FAILURE = Duration.ofSeconds(1).toMillis();
    /** Longest wait for a fetch another caller started. */
    static final long FETCH_WAIT_SECONDS = 120;

    /**
     * A key and until when it counts.
     *
     * @param validUntilTs the last moment a signature by it counts
     * @param expiredTs    for an old key, when its server stopped using it; else null
     */
    public record UsableKey(VerifyKey key, long validUntilTs, Long expiredTs) {
        public boolean isOld() {
            return expiredTs != null;
        }
    }

    private final LocalKeys local;
    private final ServerKeyRepository repository;
    private final KeyFetcher fetcher;
    private final List<String> notaries;
    private final Clock clock;
    private final Map<String, Map<String, RemoteKey>> cache = new ConcurrentHashMap<>();
    /**
     * Each published key made into a verifier once, by key id and key: making one through Tink
     * and Conscrypt decodes the key, which every signature check would otherwise repeat.
     */
    private final Map<String, VerifyKey> verifiers = new ConcurrentHashMap<>();
    private final Map<String, Long> lastFetch = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> fetching = new ConcurrentHashMap<>();

    public KeyRing(LocalKeys local, ServerKeyRepository repository, KeyFetcher fetcher, List<String> notaries,
                   Clock clock) {
        this.local = local;
        this.repository = repository;
        this.fetcher = fetcher;
        this.notaries = List.copyOf(notaries);
        this.clock = clock;
    }

    public LocalKeys local() {
        return local;
    }

    /** The key {@code server} signs requests with now ({@code verify_keys} only; old keys sign no requests). */
    public Optional<VerifyKey> requestKey(String server, String keyId) {
        return find(server, keyId, clock.millis(), false, true).map(UsableKey::key);
    }

    /**
     * {@code server}'s key {@code keyId} that counts at {@code neededAt} (any time when negative),
     * fetching keys if it is not known or not valid long enough.
     *
     * @param allowOld whether a key from {@code old_verify_keys} will do (events: yes; requests: no)
     */
    @Override
    public Optional<UsableKey> key(String server, String keyId, long neededAt, boolean allowOld) {
        return find(server, keyId, neededAt, allowOld, true);
    }

    private Optional<UsableKey> find(String server, String keyId, long neededAt, boolean allowOld, boolean notariesToo) {
        if (server.equals(local.serverName())) {
            return local.key(keyId).filter(k -> counts(k, neededAt, allowOld));
        }
        Optional<UsableKey> known = cached(server, keyId).filter(k -> counts(k, neededAt, allowOld));
        if (known.isPresent()) {
            return known;
        }
        refresh(server, notariesToo);
        return cached(server, keyId).filter(k -> counts(k, neededAt, allowOld));
    }

    private static boolean counts(UsableKey key, long neededAt, boolean allowOld) {
        if (key.isOld() && !allowOld) {
            return false;
        }
        return neededAt < 0 || neededAt <= key.validUntilTs();
    }

    private Optional<UsableKey> cached(String server, String keyId) {
        RemoteKey stored = keysOf(server).get(keyId);
        if (stored == null) {
            return Optional.empty();
        }
        VerifyKey key = verifiers.computeIfAbsent(keyId + " " + stored.publicKey(),
                k -> VerifyKey.fromBase64(keyId, stored.publicKey()));
        if (stored.expiredTs() != null) {
            return Optional.of(new UsableKey(key, stored.expiredTs(), stored.expiredTs()));
        }
        return Optional.of(new UsableKey(key, trustedUntil(stored), null));
    }

    /**
     * Until when a stored key is trusted: its document's {@code valid_until_ts}, at most 7 days
     * after it was fetched (keys stored before the bound was applied on storing hold more).
     */
    private static long trustedUntil(RemoteKey key) {
        return Math.min(key.validUntilTs(), key.fetchedTs() + MAX_VALIDITY_MS);
    }

    private Map<String, RemoteKey> keysOf(String server) {
        return cache.computeIfAbsent(server, this::load);
    }

    private Map<String, RemoteKey> load(String server) {
        Map<String, RemoteKey> keys = new HashMap<>();
        for (RemoteKey k : repository.remoteKeys(server)) {
            keys.put(k.keyId(), k);
        }
        return Map.copyOf(keys);
    }

    /** Fetches {@code server}'s keys unless that was done moments ago; one fetch per server at a time. */
    private void refresh(String server, boolean notariesToo) {
        CompletableFuture<Void> running = fetching.get(server);
        if (running != null) {
            awaitFetch(running);
            return;
        }
        Long last = lastFetch.get(server);
        if (last != null && clock.millis() - last < REFETCH_INTERVAL) {
            return;
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        running = fetching.putIfAbsent(server, mine);
        if (running != null) {
            awaitFetch(running);
            return;
        }
        try {
            lastFetch.put(server, clock.millis());
            List<ServerKeyDocument> documents = fetch(server, notariesToo);
            store(server, documents);
            if (documents.isEmpty()) {
                lastFetch.put(server, clock.millis() - REFETCH_INTERVAL + REFETCH_AFTER_FAILURE);
            }
        } finally {
            fetching.remove(server, mine);
            mine.complete(null);
        }
    }

    /**
     * Waits for another caller's fetch, but not for ever: fetches through notaries can wait on each
     * other's keys, and a cycle of them must not hang their callers.
     */
    private static void awaitFetch(CompletableFuture<Void> running) {
        try {
            running.get(FETCH_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // go on with what the cache holds
        }
    }

    private List<ServerKeyDocument> fetch(String server, boolean notariesToo) {
        List<ServerKeyDocument> found = new ArrayList<>();
        try {
            ServerKeyDocument doc = ServerKeyDocument.parse(fetcher.serverKeys(server));
            if (!doc.serverName().equals(server)) {
                LOG.warn("Key document fetched from {} is for {}", server, doc.serverName());
            } else if (!doc.isSelfSigned()) {
                LOG.warn("Key document fetched from {} is not signed by its keys", server);
            } else {
                found.add(doc);
            }
        } catch (Exception e) {
            LOG.info("Cannot fetch the keys of {} from it: {}", server, e.toString());
        }
        if (!found.isEmpty() || !notariesToo) {
            return found;
        }
        for (String notary : notaries) {
            if (notary.equals(server) || notary.equals(local.serverName())) {
                continue;
            }
            try {
                for (ObjectNode json : fetcher.notaryQuery(notary, server, clock.millis())) {
                    ServerKeyDocument doc = ServerKeyDocument.parse(json);
                    if (doc.serverName().equals(server) && doc.isSelfSigned() && signedByNotary(doc, notary)) {
                        found.add(doc);
                    }
                }
            } catch (Exception e) {
                LOG.info("Cannot fetch the keys of {} through notary {}: {}", server, notary, e.toString());
            }
            if (!found.isEmpty()) {
                break;
            }
        }
        return found;
    }

    /** Whether the notary signed the document with a key of its own, fetched from the notary itself. */
    private boolean signedByNotary(ServerKeyDocument doc, String notary) {
        boolean any = false;
        for (String keyId : doc.signingKeyIds(notary)) {
            Optional<UsableKey> key = find(notary, keyId, clock.millis(), false, false);
            if (key.isPresent()) {
                if (!doc.isSignedBy(notary, key.get().key())) {
                    return false;
                }
                any = true;
            }
        }
        if (!any) {
            LOG.warn("Notary {} answered for {} without a signature we can check", notary, doc.serverName());
        }
        return any;
    }

    private void store(String server, List<ServerKeyDocument> documents) {
        if (documents.isEmpty()) {
            return;
        }
        long now = clock.millis();
        List<RemoteKey> keys = new ArrayList<>();
        for (ServerKeyDocument doc : documents) {
            byte[] bytes = doc.canonicalBytes();
            long validUntil = Math.min(doc.validUntilTs(), now + MAX_VALIDITY_MS);
            doc.oldVerifyKeys().forEach((id, old) -> keys.add(new RemoteKey(server, id, old.key().publicKeyBase64(),
                    validUntil, old.expiredTs(), now, bytes)));
            doc.verifyKeys().forEach((id, key) -> keys.add(new RemoteKey(server, id, key.publicKeyBase64(),
                    validUntil, null, now, bytes)));
        }
        repository.storeRemoteKeys(keys, MAX_VALIDITY_MS);
        cache.put(server, load(server));
    }

    /**
     * What a notary answers for {@code server} (server-server API, "Querying Keys Through Another
     * Server"): the key documents as {@code server} signed them, from the cache if they hold the
     * requested keys until {@code minimumValidUntilTs}, else fetched anew from the server; when that
     * fails, the last documents received, as the spec asks. Our own keys are answered directly.
     *
     * @param keyIds the key ids asked for; empty for all
     */
    public List<ObjectNode> documentsFor(String server, Set<String> keyIds, long minimumValidUntilTs) {
        if (server.equals(local.serverName())) {
            return List.of(local.document());
        }
        if (!satisfies(server, keyIds, minimumValidUntilTs)) {
            refresh(server, false);
        }
        List<ObjectNode> documents = new ArrayList<>();
        List<byte[]> seen = new ArrayList<>();
        for (RemoteKey k : keysOf(server).values()) {
            if ((keyIds.isEmpty() || keyIds.contains(k.keyId()))
                    && seen.stream().noneMatch(b -> Arrays.equals(b, k.document()))) {
                seen.add(k.document());
                documents.add(MatrixJson.parseObject(k.document(), MatrixJson.Numbers.LENIENT));
            }
        }
        documents.sort(Comparator.comparingLong(d -> -d.path("valid_until_ts").asLong()));
        if (keyIds.isEmpty() && documents.size() > 1) {
            return List.of(documents.getFirst()); // the newest says all there is
        }
        return documents;
    }

    private boolean satisfies(String server, Set<String> keyIds, long minimumValidUntilTs) {
        Map<String, RemoteKey> keys = keysOf(server);
        if (keyIds.isEmpty()) {
            return keys.values().stream().anyMatch(k -> trustedUntil(k) >= minimumValidUntilTs);
        }
        for (String id : keyIds) {
            RemoteKey k = keys.get(id);
            if (k == null || trustedUntil(k) < minimumValidUntilTs) {
                return false;
            }
        }
        return true;
    }
}
