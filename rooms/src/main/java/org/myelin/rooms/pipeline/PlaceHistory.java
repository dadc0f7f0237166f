package org.myelin.rooms.pipeline;

import org.myelin.protocol.auth.AuthResult;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.head.EventStates;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.rooms.head.RoomLocks;
import org.myelin.storage.events.PersistRequest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Older history of a room ({@code /backfill}) through the pipeline (server-server API,
 * "Backfilling and retrieving missing events"). Each event is checked like any received one and
 * authorised against the state before it; that state is worked out oldest first, so each event's
 * follows from the one before it and only the oldest needs its state fetched (as Synapse handles
 * pulled events in depth order: once, not once per event). The events are then queued for commit
 * newest first, since backfilled events take decreasing timeline positions.
 *
 * <p>States are fetched before the room's lock is taken (nothing that waits on the network runs
 * under it): for each event whose prev events are neither known here nor in the batch. An event
 * whose state is still unknown under the lock (its prev event in the batch was rejected) is
 * placed in a second round, its state fetched first.
 */
final class PlaceHistory {

    /** A received event after the checks that need no lock: the event to go on with, or its outcome. */
    record Prechecked(Pdu pdu, CompletableFuture<Outcome> outcome) {
    }

    /** The steps history shares with live events. */
    interface Steps {
        Prechecked precheck(Pdu unchecked, String origin);

        /** The state before {@code pdu} as {@code origin} gives it, fetched without a lock; empty if known or none. */
        Optional<Map<StateKey, String>> fetchStateBefore(Pdu pdu, String origin);

        /** Queues a rejected event's storing; the rejection, once committed. */
        CompletableFuture<Outcome> storeRejected(Pdu pdu, AuthResult.Rejected rejected);
    }

    /** What placing history needs. */
    record Parts(Steps steps, RoomHeads heads, RoomLocks locks, Authorize authorize, Persist persist,
                 EventStates states, ResolveState resolve) {
    }

    /** What a backfilled event will commit: the request and the state after it. */
    private record Placed(PersistRequest request, EventStates.State after) {
    }

    /** What one round under the lock decided, and the events whose state it could not work out. */
    private record Round(Map<String, CompletableFuture<Outcome>> outcomes, List<Pdu> unknown) {
    }

    private static final int ROUNDS = 2;

    private final Parts parts;

    PlaceHistory(Parts parts) {
        this.parts = parts;
    }

    /** Checks and places {@code history}; one outcome per event, in the order given. */
    List<Outcome> place(List<Pdu> history, String origin) {
        Map<String, CompletableFuture<Outcome>> outcomes = new HashMap<>();
        Map<String, List<Pdu>> byRoom = new LinkedHashMap<>();
        for (Pdu unchecked : history) {
            Prechecked checked = parts.steps().precheck(unchecked, origin);
            if (checked.outcome() != null) {
                outcomes.put(unchecked.eventId(), checked.outcome());
            } else {
                byRoom.computeIfAbsent(checked.pdu().roomId(), r -> new ArrayList<>()).add(checked.pdu());
            }
        }
        byRoom.forEach((roomId, pdus) -> {
            pdus.sort(Comparator.comparingLong(Pdu::depth).thenComparing(Pdu::eventId));
            Map<String, Map<StateKey, String>> fetched = new HashMap<>();
            List<Pdu> todo = pdus;
            for (int round = 1; !todo.isEmpty(); round++) {
                fetchStates(todo, origin, fetched);
                List<Pdu> oldestFirst = todo;
                boolean last = round == ROUNDS;
                Round done = parts.locks().withLock(roomId, () -> placeLocked(oldestFirst, fetched, last));
                outcomes.putAll(done.outcomes());
                todo = done.unknown();
            }
        });
        // Commits complete outside the room's lock, as for live events.
        return history.stream().map(p -> outcomes.get(p.eventId()).join()).toList();
    }

    /** Without a lock: the state of each event whose prev events are neither known nor among {@code batch}. */
    private void fetchStates(List<Pdu> batch, String origin, Map<String, Map<StateKey, String>> fetched) {
        Set<String> inBatch = new HashSet<>();
        batch.forEach(p -> inBatch.add(p.eventId()));
        for (Pdu pdu : batch) {
            if (fetched.containsKey(pdu.eventId()) || !pdu.prevEventIds().isEmpty()
                    && inBatch.containsAll(pdu.prevEventIds())) {
                continue;
            }
            parts.steps().fetchStateBefore(pdu, origin).ifPresent(state -> fetched.put(pdu.eventId(), state));
        }
    }

    /**
     * Under the room's lock: {@code oldestFirst} given their states, then queued newest first.
     * Events whose state is unknown are left for another round, or refused in the {@code last}.
     */
    private Round placeLocked(List<Pdu> oldestFirst, Map<String, Map<StateKey, String>> fetched, boolean last) {
        RoomHead head = parts.heads().get(oldestFirst.getFirst().roomId()).orElseThrow();
        Map<String, CompletableFuture<Outcome>> outcomes = new HashMap<>();
        List<Pdu> unknown = new ArrayList<>();
        List<Placed> placed = new ArrayList<>();
        for (Pdu pdu : oldestFirst) {
            Optional<EventStates.State> before = parts.resolve().before(pdu)
                    .or(() -> Optional.ofNullable(fetched.get(pdu.eventId()))
                            .map(state -> ResolveState.derive(head.state(), state)));
            if (before.isEmpty()) {
                if (last) {
                    outcomes.put(pdu.eventId(), CompletableFuture.completedFuture(new Outcome.Rejected(
                            pdu.eventId(), "prev_events", "the state before the event is unknown and could not be fetched")));
                } else {
                    unknown.add(pdu);
                }
                continue;
            }
            AuthResult auth = parts.authorize().againstState(pdu, before.get().entries());
            if (auth instanceof AuthResult.Rejected r) {
                outcomes.put(pdu.eventId(), parts.steps().storeRejected(pdu, r));
                continue;
            }
            EventStates.State after = ResolveState.after(pdu, before.get());
            // The next event's state follows from this one's, before this one is committed.
            parts.states().remember(pdu.eventId(), after);
            placed.add(new Placed(new PersistRequest(pdu, PersistRequest.Placement.BACKFILLED, null, false,
                    before.get().snapshot(), after.snapshot(), null, null), after));
        }
        for (Placed p : placed.reversed()) {
            outcomes.put(p.request().pdu().eventId(), parts.persist().store(p.request(), p.after()));
        }
        return new Round(outcomes, unknown);
    }
}
