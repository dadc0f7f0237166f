package org.myelin.federation.remote;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.client.FederationClient;
import org.myelin.federation.client.FederationClientException;
import org.myelin.federation.keys.EventSignatures;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.ports.RemoteEvents;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.events.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.HashMap;
import java.util.function.Function;

/**
 * Rooms' {@link RemoteEvents} port over federation: {@code /event}, {@code /get_missing_events},
 * and the state before an event through {@code /state_ids} plus {@code /event} for what we lack
 * (or {@code /state} when we lack much). Answers are parsed in the room's version (what does not
 * parse is dropped) and their signatures checked in parallel ahead of the pipeline, which then finds
 * the checks done. Failures are logged and answered as "nothing".
 */
public final class FederationRemoteEvents implements RemoteEvents, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FederationRemoteEvents.class);
    /** Past this many missing events, one {@code /state} beats an {@code /event} each. */
    static final int FETCH_ONE_BY_ONE_MAX = 50;

    private final FederationClient client;
    /** {@code /state_ids} answers asked for ahead of {@link #stateBefore}, by server, room and event. */
    private final Map<List<String>, CompletableFuture<FederationClient.StateIds>> prefetched =
            new ConcurrentHashMap<>();
    /** Local events by id; the rooms' cache once {@link #readLocalEventsFrom} is called. */
    private volatile Function<Collection<String>, Map<String, StoredEvent>> local;
    private final EventSignatures signatures;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param events the local event store, to fetch only what is missing
     */
    public FederationRemoteEvents(FederationClient client, EventRepository events, EventSignatures signatures) {
        this.client = client;
        this.local = events::byIds;
        this.signatures = signatures;
    }

    /**
     * Reads local events through the rooms' cache rather than the store: the state of a room just
     * joined (thousands of events) is then found parsed, not read and parsed again.
     */
    public void readLocalEventsFrom(EventCache cache) {
        this.local = cache::storedAll;
    }

    /**
     * Starts asking {@code server} for the state at {@code eventId} ({@code /state_ids}), which a
     * {@link #stateBefore} call for it will take instead of asking again: after a join, the
     * resident server works on the state before the oldest backfilled event while we check the
     * join's own state. {@link #forgetPrefetched} drops an answer nobody took.
     */
    public void prefetchStateIds(String server, String roomId, String eventId) {
        prefetched.computeIfAbsent(List.of(server, roomId, eventId), key -> CompletableFuture.supplyAsync(() -> {
            try {
                return client.stateIds(server, roomId, eventId);
            } catch (FederationClientException e) {
                throw new CompletionException(e);
            }
        }, threads));
    }

    public void forgetPrefetched(String server, String roomId, String eventId) {
        prefetched.remove(List.of(server, roomId, eventId));
    }

    /** The prefetched answer if there is a good one, else a fresh one. */
    private FederationClient.StateIds stateIds(String server, String roomId, String eventId)
            throws FederationClientException {
        CompletableFuture<FederationClient.StateIds> early = prefetched.remove(List.of(server, roomId, eventId));
        if (early != null) {
            try {
                return early.join();
            } catch (CompletionException | CancellationException e) {
                LOG.info("Prefetched state of {} at {} failed; asking again: {}", roomId, eventId, e.getMessage());
            }
        }
        return client.stateIds(server, roomId, eventId);
    }

    @Override
    public Optional<Pdu> event(String server, RoomVersion version, String eventId) {
        try {
            Optional<Pdu> pdu = parse(client.event(server, eventId), version);
            return pdu.filter(p -> p.eventId().equals(eventId));
        } catch (FederationClientException e) {
            LOG.info("Cannot fetch event {} from {}: {}", eventId, server, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public List<Pdu> missingEvents(String server, RoomVersion version, String roomId, List<String> earliest,
                                   List<String> latest, int limit) {
        try {
            List<Pdu> found = parseAll(client.missingEvents(server, roomId, earliest, latest, limit, 0), version);
            found.removeIf(p -> !p.roomId().equals(roomId));
            found.sort(Comparator.comparingLong(Pdu::depth));
            signatures.verifyAll(found);
            return found;
        } catch (FederationClientException e) {
            LOG.info("Cannot fetch missing events of {} from {}: {}", roomId, server, e.getMessage());
            return List.of();
        }
    }

    @Override
    public Optional<RemoteState> stateBefore(String server, RoomVersion version, String roomId, String eventId) {
        try {
            FederationClient.StateIds ids = stateIds(server, roomId, eventId);
            Set<String> wanted = new LinkedHashSet<>(ids.pduIds());
            wanted.addAll(ids.authChainIds());
            Map<String, StoredEvent> known = local.apply(wanted);
            List<String> missing = wanted.stream().filter(id -> !known.containsKey(id)).toList();
            Map<String, Pdu> byId = new HashMap<>();
            known.forEach((id, e) -> byId.put(id, e.pdu()));
            if (missing.size() > FETCH_ONE_BY_ONE_MAX) {
                FederationClient.State state = client.state(server, roomId, eventId);
                for (Pdu p : parseAll(state.pdus(), version)) {
                    byId.putIfAbsent(p.eventId(), p);
                }
                for (Pdu p : parseAll(state.authChain(), version)) {
                    byId.putIfAbsent(p.eventId(), p);
                }
            } else {
                List<CompletableFuture<Optional<Pdu>>> fetches = new ArrayList<>();
                for (String id : missing) {
                    fetches.add(CompletableFuture.supplyAsync(() -> event(server, version, id), threads));
                }
                for (CompletableFuture<Optional<Pdu>> f : fetches) {
                    f.join().ifPresent(p -> byId.put(p.eventId(), p));
                }
            }
            List<Pdu> state = pick(ids.pduIds(), byId);
            List<Pdu> authChain = pick(ids.authChainIds(), byId);
            List<Pdu> fetched = new ArrayList<>();
            for (String id : missing) {
                if (byId.containsKey(id)) {
                    fetched.add(byId.get(id));
                }
            }
            signatures.verifyAll(fetched);
            return Optional.of(new RemoteState(state, authChain));
        } catch (FederationClientException e) {
            LOG.info("Cannot fetch the state of {} at {} from {}: {}", roomId, eventId, server, e.getMessage());
            return Optional.empty();
        }
    }

    private static List<Pdu> pick(List<String> ids, Map<String, Pdu> byId) {
        List<Pdu> picked = new ArrayList<>();
        for (String id : ids) {
            Pdu p = byId.get(id);
            if (p != null) {
                picked.add(p);
            }
        }
        picked.sort(Comparator.comparingLong(Pdu::depth));
        return picked;
    }

    private static List<Pdu> parseAll(List<ObjectNode> json, RoomVersion version) {
        List<Pdu> out = new ArrayList<>();
        for (ObjectNode j : json) {
            parse(j, version).ifPresent(out::add);
        }
        return out;
    }

    private static Optional<Pdu> parse(ObjectNode json, RoomVersion version) {
        try {
            return Optional.of(Pdu.parse(json, version));
        } catch (RuntimeException e) {
            LOG.info("Dropping an invalid event from another server: {}", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
