package org.myelin.rooms.pipeline;

import org.myelin.protocol.auth.AuthResult;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.EventStates;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.head.RoomHeads;
import org.myelin.rooms.head.RoomLocks;
import org.myelin.rooms.ports.RemoteEvents;
import org.myelin.rooms.ports.ServerKeys;
import org.myelin.storage.events.EventPersister;
import org.myelin.storage.events.PersistRequest;
import org.myelin.storage.events.PersistedEvent;
import org.myelin.storage.events.StoredEvent;
import org.myelin.storage.rooms.RoomRepository;
import org.myelin.storage.state.StateSnapshot;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The one event pipeline (DESIGN.md, "rooms"). Every event, a local user's message or a remote
 * server's PDU, takes these steps, in this order:
 *
 * <ol>
 *   <li>build and sign (local) — or check signatures and content hash (remote);</li>
 *   <li>fetch missing auth events, as outliers (remote);</li>
 *   <li>auth against its own auth events;</li>
 *   <li>take the room's lock; state before it: the resolution of the states after its prev events
 *       (fetching missing prev events, remote);</li>
 *   <li>auth against the state before it; soft-fail check against the current state;</li>
 *   <li>persist in one transaction: event, edges, state, forward extremities, stream position;</li>
 *   <li>notify, once committed (the persister's commit listener).</li>
 * </ol>
 *
 * <p>Lock order: one room lock at a time (see {@link RoomLocks}); the lock is released once the
 * event is queued for persistence, so the next event of the room is built on this one while the
 * commit is in flight. {@link #submit} returns after the commit.
 */
public final class RoomEventPipeline {

    private final EventCache events;
    private final EventStates states;
    private final RoomHeads heads;
    private final RoomLocks locks = new RoomLocks();
    private final RoomRepository rooms;
    private final EventPersister persister;
    private final BuildEvent build;
    private final CheckSignatures signatures;
    private final Authorize authorize;
    private final ResolveState resolve;
    private final RemoteEvents remote;
    private final Clock clock;

    /** What the pipeline needs; built once by the server's wiring. */
    public record Parts(LocalServer server, Clock clock, EventCache events, EventStates states, RoomHeads heads,
                        RoomRepository rooms, EventPersister persister, ServerKeys keys, RemoteEvents remote) {
    }

    public RoomEventPipeline(Parts parts) {
        this.events = parts.events();
        this.states = parts.states();
        this.heads = parts.heads();
        this.rooms = parts.rooms();
        this.persister = parts.persister();
        this.clock = parts.clock();
        this.remote = parts.remote();
        this.build = new BuildEvent(parts.server(), parts.clock());
        this.signatures = new CheckSignatures(parts.keys());
        this.authorize = new Authorize(parts.events(), parts.keys());
        this.resolve = new ResolveState(parts.states(), parts.events());
    }

    /** Runs {@code input} through the pipeline; returns once the outcome is committed (or refused). */
    public Outcome submit(Input input) {
        return switch (input) {
            case Input.LocalEvent local -> local.roomId() == null || isCreate(local)
                    ? createRoom(local)
                    : locks.withLock(local.roomId(), () -> submitLocal(local)).join();
            case Input.RemoteEvent r -> received(r.pdu(), r.origin(), PersistRequest.Placement.LIVE);
            case Input.Backfilled b -> received(b.pdu(), b.origin(), PersistRequest.Placement.BACKFILLED);
            case Input.Outlier o -> outlier(o.pdu(), o.origin());
        };
    }

    private static boolean isCreate(Input.LocalEvent local) {
        return "m.room.create".equals(local.type()) && "".equals(local.stateKey());
    }

    // ---- local events ----

    private Outcome createRoom(Input.LocalEvent input) {
        Pdu create = build.create(input);
        if (heads.get(create.roomId()).isPresent()) {
            // A create event for a room that exists would start its graph over.
            return new Outcome.Rejected(create.eventId(), "1.1", "room " + create.roomId() + " exists already");
        }
        AuthResult auth = authorize.againstState(create, Map.of());
        if (auth instanceof AuthResult.Rejected r) {
            return new Outcome.Rejected(create.eventId(), r.rule(), r.reason());
        }
        rooms.create(create.roomId(), create.roomVersion(), clock.millis());
        return locks.withLock(create.roomId(), () -> {
            EventStates.State empty = new EventStates.State(StateSnapshot.full(create.roomId(), Map.of()), Map.of());
            EventStates.State after = ResolveState.after(create, empty);
            RoomHead head = new RoomHead(create.roomId(), create.roomVersion(), List.of(), Map.of(), empty.snapshot(), 0);
            return queueLive(create, head, empty, after, List.of(create.eventId()), after, false);
        }).join();
    }

    private CompletableFuture<Outcome> submitLocal(Input.LocalEvent input) {
        Optional<RoomHead> found = heads.get(input.roomId());
        if (found.isEmpty()) {
            return CompletableFuture.completedFuture(
                    new Outcome.Rejected(null, "room", "this server is not in room " + input.roomId()));
        }
        RoomHead head = found.get();
        Pdu pdu = build.onHead(input, head);
        AuthResult auth = authorize.againstState(pdu, head.currentState());
        if (auth instanceof AuthResult.Rejected r) {
            return CompletableFuture.completedFuture(new Outcome.Rejected(pdu.eventId(), r.rule(), r.reason()));
        }
        EventStates.State before = new EventStates.State(head.snapshot(), head.currentState());
        EventStates.State after = ResolveState.after(pdu, before);
        List<String> extremities = new ArrayList<>(head.forwardExtremities());
        extremities.removeAll(pdu.prevEventIds());
        extremities.add(pdu.eventId());
        return queueLive(pdu, head, before, after, extremities, after, false);
    }

    // ---- received events ----

    private Outcome received(Pdu unchecked, String origin, PersistRequest.Placement placement) {
        StoredEvent known = events.stored(unchecked.eventId());
        if (known != null && !known.outlier()) {
            return known.isRejected()
                    ? new Outcome.Rejected(known.eventId(), "known", known.rejectedReason())
                    : new Outcome.Accepted(new PersistedEvent(known.nid(), known.pdu(), known.streamOrdering(),
                    known.isVisibleInTimeline(), true));
        }
        Pdu pdu;
        switch (signatures.check(unchecked)) {
            case CheckSignatures.Result.Invalid invalid -> {
                return new Outcome.Rejected(unchecked.eventId(), "signature", invalid.reason());
            }
            case CheckSignatures.Result.Valid valid -> pdu = valid.pdu();
        }
        fetchMissingAuthEvents(pdu, origin);
        AuthResult auth = authorize.againstAuthEvents(pdu);
        if (auth instanceof AuthResult.Rejected r) {
            return storeRejected(pdu, r);
        }
        if (heads.get(pdu.roomId()).isEmpty()) {
            return new Outcome.Rejected(pdu.eventId(), "room", "this server is not in room " + pdu.roomId());
        }
        return locks.withLock(pdu.roomId(), () -> receivedLocked(pdu, origin, placement)).join();
    }

    private CompletableFuture<Outcome> receivedLocked(Pdu pdu, String origin, PersistRequest.Placement placement) {
        RoomHead head = heads.get(pdu.roomId()).orElseThrow();
        Optional<EventStates.State> before = resolve.before(pdu);
        if (before.isEmpty()) {
            before = fetchStateBefore(pdu, origin, head);
            if (before.isEmpty()) {
                return CompletableFuture.completedFuture(new Outcome.Rejected(pdu.eventId(), "prev_events",
                        "the state before the event is unknown and could not be fetched"));
            }
        }
        AuthResult auth = authorize.againstState(pdu, before.get().entries());
        if (auth instanceof AuthResult.Rejected r) {
            return CompletableFuture.completedFuture(storeRejected(pdu, r));
        }
        EventStates.State after = ResolveState.after(pdu, before.get());
        if (placement == PersistRequest.Placement.BACKFILLED) {
            return persist(new PersistRequest(pdu, placement, null, false, before.get().snapshot(),
                    after.snapshot(), null, null), pdu, after, false);
        }
        boolean softFailed = !authorize.againstState(pdu, head.currentState()).isAllowed();
        if (softFailed) {
            return persist(new PersistRequest(pdu, placement, null, true, before.get().snapshot(),
                    after.snapshot(), null, null), pdu, after, true);
        }
        List<String> extremities = new ArrayList<>(head.forwardExtremities());
        extremities.removeAll(pdu.prevEventIds());
        extremities.add(pdu.eventId());
        states.remember(pdu.eventId(), after);
        EventStates.State current = extremities.size() == 1
                ? after
                : resolve.resolve(pdu.roomId(), pdu.roomVersion(), extremities).orElse(after);
        return queueLive(pdu, head, before.get(), after, extremities, current, false);
    }

    private Optional<EventStates.State> fetchStateBefore(Pdu pdu, String origin, RoomHead head) {
        List<Pdu> missing = remote.missingEvents(origin, pdu.roomVersion(), pdu.roomId(),
                head.forwardExtremities(), List.of(pdu.eventId()), 20);
        for (Pdu m : missing) {
            if (!m.eventId().equals(pdu.eventId()) && events.stored(m.eventId()) == null) {
                // Re-entrant: this thread holds the room's lock already.
                received(m, origin, PersistRequest.Placement.LIVE);
            }
        }
        Optional<EventStates.State> before = resolve.before(pdu);
        if (before.isPresent()) {
            return before;
        }
        return remote.stateBefore(origin, pdu.roomVersion(), pdu.roomId(), pdu.eventId()).map(state -> {
            for (Pdu p : state.authChain()) {
                outlier(p, origin);
            }
            java.util.Map<org.myelin.protocol.event.StateKey, String> entries = new java.util.HashMap<>();
            for (Pdu p : state.state()) {
                if (outlier(p, origin) instanceof Outcome.Accepted && p.isState()) {
                    entries.put(new org.myelin.protocol.event.StateKey(p.type(), p.stateKey()), p.eventId());
                }
            }
            return ResolveState.derive(new EventStates.State(head.snapshot(), head.currentState()), entries);
        });
    }

    private Outcome outlier(Pdu unchecked, String origin) {
        StoredEvent known = events.stored(unchecked.eventId());
        if (known != null) {
            return known.isRejected()
                    ? new Outcome.Rejected(known.eventId(), "known", known.rejectedReason())
                    : new Outcome.Accepted(new PersistedEvent(known.nid(), known.pdu(), known.streamOrdering(),
                    false, true));
        }
        Pdu pdu;
        switch (signatures.check(unchecked)) {
            case CheckSignatures.Result.Invalid invalid -> {
                return new Outcome.Rejected(unchecked.eventId(), "signature", invalid.reason());
            }
            case CheckSignatures.Result.Valid valid -> pdu = valid.pdu();
        }
        fetchMissingAuthEvents(pdu, origin);
        AuthResult auth = authorize.againstAuthEvents(pdu);
        if (auth instanceof AuthResult.Rejected r) {
            return storeRejected(pdu, r);
        }
        return persist(PersistRequest.outlier(pdu, null), pdu, null, false).join();
    }

    private void fetchMissingAuthEvents(Pdu pdu, String origin) {
        Map<String, StoredEvent> stored = events.storedAll(pdu.authEventIds());
        for (String id : pdu.authEventIds()) {
            if (!stored.containsKey(id)) {
                remote.event(origin, pdu.roomVersion(), id).ifPresent(p -> outlier(p, origin));
            }
        }
    }

    private Outcome storeRejected(Pdu pdu, AuthResult.Rejected r) {
        persist(PersistRequest.outlier(pdu, r.rule() + ": " + r.reason()), pdu, null, false).join();
        return new Outcome.Rejected(pdu.eventId(), r.rule(), r.reason());
    }

    // ---- persisting ----

    private CompletableFuture<Outcome> queueLive(Pdu pdu, RoomHead head, EventStates.State before,
                                                 EventStates.State after, List<String> extremities,
                                                 EventStates.State current, boolean softFailed) {
        events.put(new StoredEvent(0, pdu, null, false, softFailed, null));
        boolean stateChanged = current.snapshot() != head.snapshot();
        PersistRequest request = new PersistRequest(pdu, PersistRequest.Placement.LIVE, null, softFailed,
                before.snapshot(), after.snapshot(), stateChanged ? current.snapshot() : null,
                stateChanged ? membershipChanges(head.currentState(), current.entries()) : null,
                softFailed ? null : extremities);
        heads.set(new RoomHead(pdu.roomId(), pdu.roomVersion(), extremities, current.entries(), current.snapshot(),
                Math.max(head.maxDepth(), pdu.depth())));
        return persist(request, pdu, after, softFailed);
    }

    /** The member entries that differ between two states, with the membership the new one gives. */
    private List<PersistRequest.MembershipChange> membershipChanges(Map<org.myelin.protocol.event.StateKey, String> was,
                                                                   Map<org.myelin.protocol.event.StateKey, String> now) {
        List<PersistRequest.MembershipChange> changes = new ArrayList<>();
        for (Map.Entry<org.myelin.protocol.event.StateKey, String> entry : now.entrySet()) {
            if (entry.getKey().type().equals("m.room.member") && !entry.getValue().equals(was.get(entry.getKey()))) {
                Pdu member = events.get(entry.getValue());
                if (member != null && member.membership() != null) {
                    changes.add(new PersistRequest.MembershipChange(entry.getKey().stateKey(), member.membership(),
                            member.eventId()));
                }
            }
        }
        return changes;
    }

    private CompletableFuture<Outcome> persist(PersistRequest request, Pdu pdu, EventStates.State after,
                                               boolean softFailed) {
        events.put(new StoredEvent(0, pdu, null, request.placement() == PersistRequest.Placement.OUTLIER,
                softFailed, request.rejectedReason()));
        if (after != null) {
            states.remember(pdu.eventId(), after);
        }
        return persister.persist(request).handle((persisted, failure) -> {
            if (failure != null) {
                // What we built on this event in memory is not in the database: start again from what is.
                heads.invalidate(pdu.roomId());
                events.remove(pdu.eventId());
                states.forget(pdu.eventId());
                throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            }
            events.put(new StoredEvent(persisted.nid(), pdu, persisted.streamOrdering(),
                    request.placement() == PersistRequest.Placement.OUTLIER, softFailed, request.rejectedReason()));
            return softFailed ? new Outcome.SoftFailed(persisted) : new Outcome.Accepted(persisted);
        });
    }
}
