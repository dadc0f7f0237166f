package org.myelin.federation.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.protocol.crypto.JsonSigning;
import org.myelin.protocol.event.EventSigning;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.id.KeyId;
import org.myelin.rooms.ports.ServerKeys;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Checks servers' signatures on events (server-server API, "Validating hashes and signatures on
 * received events") with the keys of the {@link KeyRing}: the redacted event must carry a valid
 * signature by the server with a key that counted when the event was sent (room versions whose
 * rules enforce key validity) or any known key (earlier versions); signatures by keys we cannot
 * find are skipped, but one that does not verify fails the event.
 *
 * <p>An (event, server) pair is checked once: concurrent callers wait for the one check, and the
 * answer is remembered (a small LRU) unless it was "no key to check with", which may change.
 * {@link #verifyAll} checks a batch on virtual threads in parallel.
 */
public final class EventSignatures implements ServerKeys, AutoCloseable {

    /** What a check found. */
    enum Verdict {
        VALID, INVALID, NO_USABLE_KEY
    }

    private static final int REMEMBERED = 20_000;

    private final KeyLookup keys;
    private final Cache<String, Boolean> results = Caffeine.newBuilder().maximumSize(REMEMBERED).recordStats().build();
    private final Map<String, CompletableFuture<Verdict>> running = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    public EventSignatures(KeyLookup keys) {
        this.keys = keys;
    }

    @Override
    public boolean isSignedBy(Pdu event, String serverName) {
        return verdict(event, serverName) == Verdict.VALID;
    }

    /**
     * Checks every event's required signatures (its sender's server; in room versions 1 and 2 also
     * the server of its event id) in parallel; returns which events passed, by event id.
     */
    public Map<String, Boolean> verifyAll(Collection<Pdu> events) {
        Map<String, List<CompletableFuture<Boolean>>> checks = new LinkedHashMap<>();
        for (Pdu event : events) {
            for (String server : requiredSigners(event)) {
                checks.computeIfAbsent(event.eventId(), id -> new ArrayList<>())
                        .add(CompletableFuture.supplyAsync(() -> isSignedBy(event, server), threads));
            }
        }
        Map<String, Boolean> passed = new LinkedHashMap<>();
        checks.forEach((id, futures) -> passed.put(id, futures.stream().allMatch(CompletableFuture::join)));
        return passed;
    }

    static Set<String> requiredSigners(Pdu event) {
        Set<String> servers = new LinkedHashSet<>();
        servers.add(event.senderDomain());
        if (!event.roomVersion().eventFormat().eventIdIsHash()) {
            servers.add(Pdu.domainOf(event.eventId()));
        }
        return servers;
    }

    Verdict verdict(Pdu event, String server) {
        if (!event.roomVersion().eventFormat().eventIdIsHash()) {
            // In v1 and v2 the event id is no hash of the event: two different events can share it.
            return check(event, server);
        }
        String key = rememberedAs(event, server);
        Boolean known = results.getIfPresent(key);
        if (known != null) {
            return known ? Verdict.VALID : Verdict.INVALID;
        }
        CompletableFuture<Verdict> mine = new CompletableFuture<>();
        CompletableFuture<Verdict> other = running.putIfAbsent(key, mine);
        if (other != null) {
            return other.join();
        }
        try {
            Verdict verdict = check(event, server);
            if (verdict != Verdict.NO_USABLE_KEY) {
                results.put(key, verdict == Verdict.VALID);
            }
            mine.complete(verdict);
            return verdict;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(key, mine);
        }
    }

    /**
     * What an (event, server) check is remembered by: the event id (a hash of the event without
     * its signatures, from v3) and the server's signatures as sent, since another copy of the
     * event may carry other ones. Built from the values directly: serialising the JSON costs more.
     */
    private static String rememberedAs(Pdu event, String server) {
        StringBuilder key = new StringBuilder(160).append(event.roomVersion().id()).append('\u0000')
                .append(event.eventId()).append('\u0000').append(server);
        for (Map.Entry<String, JsonNode> signature : event.json().path("signatures").path(server).properties()) {
            JsonNode value = signature.getValue();
            key.append('\u0000').append(signature.getKey())
                    .append(value.isTextual() ? "=" + value.textValue() : "~" + value);
        }
        return key.toString();
    }

    private Verdict check(Pdu event, String server) {
        List<String> keyIds = EventSigning.signingKeyIds(event.json(), server).stream()
                .filter(id -> id.startsWith(KeyId.ED25519 + ":")).toList();
        if (keyIds.isEmpty()) {
            return Verdict.INVALID;
        }
        long neededAt = event.roomVersion().enforceKeyValidity() ? event.originServerTs() : -1;
        // Encoded once when the PDU was parsed: its event id hashes the same bytes.
        byte[] signed = event.redactedSignedBytes();
        int valid = 0;
        for (String keyId : keyIds) {
            Optional<KeyRing.UsableKey> key = keys.key(server, keyId, neededAt, true);
            if (key.isEmpty()) {
                continue; // unknown or expired: skipped, as the spec says
            }
            if (!JsonSigning.verify(signed, event.json(), server, key.get().key())) {
                return Verdict.INVALID;
            }
            valid++;
        }
        return valid > 0 ? Verdict.VALID : Verdict.NO_USABLE_KEY;
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("event_signatures", results);
    }
}
