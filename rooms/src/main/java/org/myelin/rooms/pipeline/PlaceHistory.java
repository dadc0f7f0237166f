package org.myelin.rooms.pipeline;

import org.myelin.protocol.auth.AuthResult;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.head.EventStates;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.rooms.head.RoomLocks;
import org.myelin.storage.events.PersistRequest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Older history of a room ({@code /backfill}) through the pipeline (server-server API,
 * "Backfilling and retrieving missing events"). Each event is checked like any received one and
 * authorised against the state before it; that state is worked out oldest first, so each event's
 * follows from the one before it and only the oldest needs its state fetched (as Synapse handles
 * pulled events in depth order: once, not once per event). The events are then queued for commit
 * newest first, since backfilled events take decreasing timeline positions.
 */
final class PlaceHistory {

    /** A received event after the checks that need no lock: the event to go on with, or its outcome. */
    record Prechecked(Pdu pdu, CompletableFuture<Outcome> outcome) {
    }

    /** The steps history shares with live events. */
    interface Steps {
        Prechecked precheck(Pdu unchecked, String origin);

        /** The state before {@code pdu}: from its prev events if known, else fetched from {@code origin}. */
        Optional<EventStates.State> stateBefore(Pdu pdu, String origin, RoomHead head);

        /** Queues a rejected event's storing; the rejection, once committed. */
        CompletableFuture<Outcome> storeRejected(Pdu pdu, AuthResult.Rejected rejected);
    }

    /** What placing history needs. */
    record Parts(Steps steps, RoomHeads heads, RoomLocks locks, Authorize authorize, Persist persist,
                 EventStates states) {
    }

    /** What a backfilled event will commit: the request and the state after it. */
    private record Placed(PersistRequest request, EventStates.State after) {
    }

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
            outcomes.putAll(parts.locks().withLock(roomId, () -> placeLocked(pdus, origin)));
        });
        // Commits complete outside the room's lock, as for live events.
        return history.stream().map(p -> outcomes.get(p.eventId()).join()).toList();
    }

    /** Under the room's lock: {@code oldestFirst} given their states, then queued newest first. */
    private Map<String, CompletableFuture<Outcome>> placeLocked(List<Pdu> oldestFirst, String origin) {
        RoomHead head = parts.heads().get(oldestFirst.getFirst().roomId()).orElseThrow();
        Map<String, CompletableFuture<Outcome>> outcomes = new HashMap<>();
        List<Placed> placed = new ArrayList<>();
        for (Pdu pdu : oldestFirst) {
            Optional<EventStates.State> before = parts.steps().stateBefore(pdu, origin, head);
            if (before.isEmpty()) {
                outcomes.put(pdu.eventId(), CompletableFuture.completedFuture(new Outcome.Rejected(pdu.eventId(),
                        "prev_events", "the state before the event is unknown and could not be fetched")));
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
        return outcomes;
    }
}
