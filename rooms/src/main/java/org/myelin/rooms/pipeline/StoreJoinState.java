package org.myelin.rooms.pipeline;

import org.myelin.protocol.auth.AuthResult;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.storage.events.PersistRequest;
import org.myelin.storage.events.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The step for a room joined through another server (server-server API, "Joining Rooms": the
 * answer of {@code send_join}): every event of the state before the join and of its auth chain
 * is checked (signatures and hashes, in parallel, each event once; then auth against its own auth
 * events, each after the auth events it names, so that the rules always find them) and all are
 * stored as outliers in one batched write. The state is what passed: rejected state events are
 * left out, two events for one state key or a missing create event refuse the whole answer.
 */
final class StoreJoinState {

    private static final Logger LOG = LoggerFactory.getLogger(StoreJoinState.class);

    /** Events per parallel signature-checking task: big enough that a task is worth starting. */
    private static final int CHECK_CHUNK = 256;

    /** What came of the answer. */
    sealed interface Result {
        /** The state before the join, state key to event id. */
        record Stored(Map<StateKey, String> state) implements Result {
        }

        record Refused(String reason) implements Result {
        }
    }

    private final CheckSignatures signatures;
    private final Authorize authorize;
    private final EventCache events;
    private final Persist persist;

    StoreJoinState(CheckSignatures signatures, Authorize authorize, EventCache events, Persist persist) {
        this.signatures = signatures;
        this.authorize = authorize;
        this.events = events;
        this.persist = persist;
    }

    /**
     * Checks and stores the state and auth chain of {@code input}, returning the state before the
     * join. {@code fetchMissingAuth} fetches (and stores) auth events that an event names but
     * neither the answer nor the store holds.
     */
    Result store(Input.JoinedRemoteRoom input, Consumer<Pdu> fetchMissingAuth) {
        String roomId = input.join().roomId();
        Map<String, Pdu> all = new LinkedHashMap<>();
        for (Pdu p : input.authChain()) {
            all.putIfAbsent(p.eventId(), p);
        }
        for (Pdu p : input.state()) {
            all.putIfAbsent(p.eventId(), p);
        }
        Map<String, String> refused = new LinkedHashMap<>();
        Map<String, StoredEvent> known = events.storedAll(all.keySet());
        known.forEach((id, e) -> {
            if (e.isRejected()) {
                refused.put(id, e.pdu().type() + " known: " + e.rejectedReason());
            }
        });
        long t0 = System.nanoTime();
        Map<String, Pdu> checked = checkSignatures(all, known, roomId, refused);
        long t1 = System.nanoTime();
        List<PersistRequest> outliers = new ArrayList<>(checked.size());
        // What passed so far, for the auth of what names it: the cache may not hold a big room's all.
        Map<String, StoredEvent> pending = new HashMap<>();
        for (Pdu p : authOrder(checked)) {
            for (String auth : p.authEventIds()) {
                if (!all.containsKey(auth) && events.stored(auth) == null) {
                    fetchMissingAuth.accept(p);
                    break;
                }
            }
            AuthResult auth = authorize.againstAuthEvents(p, pending);
            String reason = auth instanceof AuthResult.Rejected r ? r.rule() + ": " + r.reason() : null;
            if (reason != null) {
                refused.put(p.eventId(), p.type() + " " + reason);
            }
            pending.put(p.eventId(), new StoredEvent(0, p, null, true, false, reason));
            outliers.add(PersistRequest.outlier(p, reason));
        }
        long t2 = System.nanoTime();
        persist.outliers(outliers);
        LOG.info("State of {} from {}: {} events ({} known, {} refused); signatures and hashes {} ms, auth {} ms,"
                        + " write {} ms", roomId, input.origin(), all.size(), known.size(), refused.size(),
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        return state(input, roomId, refused);
    }

    /**
     * The events not stored yet whose signatures and content hash hold (one redacted if its
     * content hash does not match), checked in parallel; the others are added to {@code refused}.
     */
    private Map<String, Pdu> checkSignatures(Map<String, Pdu> all, Map<String, StoredEvent> known, String roomId,
                                             Map<String, String> refused) {
        List<Pdu> unknown = all.values().stream().filter(p -> !known.containsKey(p.eventId())).toList();
        List<CheckSignatures.Result> results = new ArrayList<>(unknown.size());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<CheckSignatures.Result>>> chunks = new ArrayList<>();
            for (int from = 0; from < unknown.size(); from += CHECK_CHUNK) {
                List<Pdu> chunk = unknown.subList(from, Math.min(unknown.size(), from + CHECK_CHUNK));
                chunks.add(threads.submit(() -> chunk.stream().map(signatures::check).toList()));
            }
            for (Future<List<CheckSignatures.Result>> chunk : chunks) {
                results.addAll(chunk.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking signatures", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        Map<String, Pdu> checked = new LinkedHashMap<>();
        for (int i = 0; i < unknown.size(); i++) {
            Pdu p = unknown.get(i);
            if (!p.roomId().equals(roomId)) {
                refused.put(p.eventId(), p.type() + " room: of another room");
                continue;
            }
            switch (results.get(i)) {
                case CheckSignatures.Result.Invalid invalid ->
                        refused.put(p.eventId(), p.type() + " signature: " + invalid.reason());
                case CheckSignatures.Result.Valid valid -> checked.put(p.eventId(), valid.pdu());
            }
        }
        return checked;
    }

    /** The state before the join: the answer's state events that passed. */
    private static Result state(Input.JoinedRemoteRoom input, String roomId, Map<String, String> refused) {
        Map<StateKey, String> state = new HashMap<>();
        for (Pdu p : input.state()) {
            if (!p.isState()) {
                return new Result.Refused("the state holds " + p.eventId() + ", which is not a state event");
            }
            if (refused.containsKey(p.eventId())) {
                continue;
            }
            StateKey key = new StateKey(p.type(), p.stateKey());
            String other = state.putIfAbsent(key, p.eventId());
            if (other != null && !other.equals(p.eventId())) {
                return new Result.Refused("the state holds two events for " + key + ": " + other + " and " + p.eventId());
            }
        }
        if (!state.containsKey(StateKey.create())) {
            return new Result.Refused("the state has no valid m.room.create event of room " + roomId
                    + (refused.isEmpty() ? "" : "; refused: " + refused));
        }
        return new Result.Stored(Map.copyOf(state));
    }

    /**
     * The events in an order where each comes after those of its auth events that are among
     * them (Kahn's algorithm; the create event, which v12 events do not name, then shallower first
     * among the ready ones). Events caught in an auth cycle, which no valid room has, come last.
     */
    static List<Pdu> authOrder(Map<String, Pdu> events) {
        Comparator<Pdu> byDepth = Comparator.comparing((Pdu p) -> !p.is(StateKey.CREATE, ""))
                .thenComparingLong(Pdu::depth).thenComparing(Pdu::eventId);
        Map<String, Integer> waitingOn = new HashMap<>();
        Map<String, List<Pdu>> dependents = new HashMap<>();
        for (Pdu p : events.values()) {
            int count = 0;
            for (String auth : new HashSet<>(p.authEventIds())) {
                if (events.containsKey(auth) && !auth.equals(p.eventId())) {
                    count++;
                    dependents.computeIfAbsent(auth, a -> new ArrayList<>()).add(p);
                }
            }
            waitingOn.put(p.eventId(), count);
        }
        List<Pdu> ready = new ArrayList<>(events.values().stream().filter(p -> waitingOn.get(p.eventId()) == 0).toList());
        ready.sort(byDepth);
        Deque<Pdu> queue = new ArrayDeque<>(ready);
        List<Pdu> ordered = new ArrayList<>(events.size());
        while (!queue.isEmpty()) {
            Pdu next = queue.poll();
            ordered.add(next);
            List<Pdu> unblocked = new ArrayList<>();
            for (Pdu d : dependents.getOrDefault(next.eventId(), List.of())) {
                if (waitingOn.merge(d.eventId(), -1, Integer::sum) == 0) {
                    unblocked.add(d);
                }
            }
            unblocked.sort(byDepth);
            queue.addAll(unblocked);
        }
        if (ordered.size() < events.size()) {
            Set<String> placed = new HashSet<>();
            ordered.forEach(p -> placed.add(p.eventId()));
            events.values().stream().filter(p -> !placed.contains(p.eventId())).sorted(byDepth).forEach(ordered::add);
        }
        return ordered;
    }
}
