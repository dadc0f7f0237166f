package org.myelin.rooms.pipeline;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.EventStates;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.storage.events.ClientTransactionRepository;
import org.myelin.storage.events.EventPersister;
import org.myelin.storage.events.PersistRequest;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.events.StoredEvent;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last step: what the pipeline decided becomes visible in memory at once (the event and its
 * state held until their commit, a live event's new head set, under the room's lock) and is queued
 * for the one transaction that commits it. If the commit fails, what was built on it in memory is
 * dropped and reloaded from the database.
 */
final class Persist {

    /**
     * A live event and where it leaves the room.
     *
     * @param head        the head it was decided on
     * @param extremities the forward extremities with it
     * @param current     the room's current state with it
     */
    record Live(Pdu pdu, RoomHead head, EventStates.State before, EventStates.State after, List<String> extremities,
                EventStates.State current, boolean softFailed) {
    }

    private static final StateKey HISTORY_VISIBILITY = StateKey.of("m.room.history_visibility", "");

    private final EventCache events;
    private final EventStates states;
    private final RoomHeads heads;
    private final EventPersister persister;
    private final RoomGaps gaps;
    /** Outcomes queued and not yet committed, by event id: a second copy of an event waits for the first's commit. */
    private final Map<String, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();

    Persist(EventCache events, EventStates states, RoomHeads heads, EventPersister persister, RoomGaps gaps) {
        this.events = events;
        this.gaps = gaps;
        this.states = states;
        this.heads = heads;
        this.persister = persister;
    }

    /** Makes the new head current in memory and queues the live event's commit. */
    CompletableFuture<Outcome> live(Live live) {
        return live(live, null);
    }

    /** As {@link #live(Live)}, recording the client transaction that sent it in the same commit (null: none). */
    CompletableFuture<Outcome> live(Live live, ClientTransactionRepository.Key transaction) {
        PersistRequest request = request(live).withClientTransaction(transaction);
        Pdu pdu = request.pdu();
        heads.set(new RoomHead(pdu.roomId(), pdu.roomVersion(), live.extremities(), live.current().entries(),
                live.current().snapshot(), Math.max(live.head().maxDepth(), pdu.depth())));
        return store(request, live.after());
    }

    /**
     * What a live event writes: itself, its state, the room's new current state and memberships,
     * and its forward extremities as decided here (unless it soft-failed: it moves none).
     */
    private PersistRequest request(Live live) {
        Pdu pdu = live.pdu();
        // Held first: the membership changes look the event itself up.
        events.pending(new StoredEvent(0, pdu, null, false, live.softFailed(), null));
        boolean stateChanged = live.current().snapshot() != live.head().snapshot();
        PersistRequest request = new PersistRequest(pdu, PersistRequest.Placement.LIVE, null, live.softFailed(),
                live.before().snapshot(), live.after().snapshot(), stateChanged ? live.current().snapshot() : null,
                stateChanged ? MembershipChanges.between(new EventStates.State(live.head().snapshot(),
                        live.head().currentState()), live.current(), events) : null,
                live.softFailed() ? null : live.extremities());
        return keeps(live.head().currentState(), live.current().entries(), StateKey.joinRules())
                && keeps(live.head().currentState(), live.current().entries(), HISTORY_VISIBILITY)
                ? request.keepingJoinRulesAndVisibility() : request;
    }

    /** Whether both states hold the same event at {@code key}. */
    private static boolean keeps(Map<StateKey, String> was, Map<StateKey, String> now, StateKey key) {
        return Objects.equals(was.get(key), now.get(key));
    }

    /**
     * Writes many outliers in one batched transaction (see {@link EventPersister#persistOutliers});
     * they are held meanwhile, so that checks of later events find them. If the write fails,
     * they are dropped again.
     */
    List<PersistedEvent> outliers(List<PersistRequest> requests) {
        for (PersistRequest r : requests) {
            events.pending(new StoredEvent(0, r.pdu(), null, true, false, r.rejectedReason()));
        }
        List<PersistedEvent> done;
        try {
            done = persister.persistOutliers(requests);
        } catch (RuntimeException e) {
            requests.forEach(r -> events.remove(r.pdu().eventId()));
            throw e;
        }
        for (int i = 0; i < done.size(); i++) {
            PersistRequest r = requests.get(i);
            if (done.get(i).alreadyKnown()) {
                // Stored meanwhile by another path, perhaps not as an outlier: read it back when needed.
                events.remove(r.pdu().eventId());
                continue;
            }
            events.committed(new StoredEvent(done.get(i).nid(), r.pdu(), null, true, false, r.rejectedReason()));
        }
        return done;
    }

    /** Queues {@code request}; {@code after} is the state after the event (null for an outlier). */
    CompletableFuture<Outcome> store(PersistRequest request, EventStates.State after) {
        Pdu pdu = request.pdu();
        boolean softFailed = request.softFailed();
        if (!request.isOutlier() && request.rejectedReason() == null) {
            gaps.entering(pdu);
        }
        events.pending(new StoredEvent(0, pdu, null, request.isOutlier(), softFailed, request.rejectedReason()));
        if (after != null) {
            states.remember(pdu.eventId(), after);
        }
        CompletableFuture<Outcome> outcome = persister.persist(request).handle((persisted, failure) -> {
            if (failure != null) {
                // What we built on this event in memory is not in the database: start again from what is.
                heads.invalidate(pdu.roomId());
                gaps.lost(pdu.roomId());
                events.remove(pdu.eventId());
                states.forget(pdu.eventId());
                throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            }
            events.committed(new StoredEvent(persisted.nid(), pdu, persisted.streamOrdering(), request.isOutlier(),
                    softFailed, request.rejectedReason()));
            states.committed(pdu.eventId());
            return softFailed ? new Outcome.SoftFailed(persisted) : new Outcome.Accepted(persisted);
        });
        inFlight.put(pdu.eventId(), outcome);
        outcome.whenComplete((o, failure) -> inFlight.remove(pdu.eventId(), outcome));
        return outcome;
    }

    /** The outcome of {@code eventId} if it is queued and not yet committed. */
    Optional<CompletableFuture<Outcome>> inFlight(String eventId) {
        return Optional.ofNullable(inFlight.get(eventId));
    }
}
