package org.myelin.rooms.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import org.myelin.protocol.auth.AuthResult;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
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
import org.myelin.storage.state.StateMaps;
import org.myelin.storage.state.StateSnapshot;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The one event pipeline (DESIGN.md, "rooms"). Every event, a local user's message or a remote
 * server's PDU, takes these steps, in this order:
 *
 * <ol>
 *   <li>build and sign (local) — or check signatures and content hash (remote);</li>
 *   <li>fetch missing auth events, as outliers (remote);</li>
 *   <li>auth against its own auth events;</li>
 *   <li>if the states after its prev events are not all known: fetch the missing prev events, or
 *       the state before it, from the sending server ({@link FetchStateBefore}, remote), before
 *       any lock: nothing that waits on the network runs under a room's lock;</li>
 *   <li>take the room's lock and read its head again; state before it: the resolution of the
 *       states after its prev events (or the state fetched, if they are still unknown);</li>
 *   <li>auth against the state before it; soft-fail check against the current state;</li>
 *   <li>persist in one transaction: event, edges, state, forward extremities, stream position;</li>
 *   <li>notify, once committed (the persister's commit listener).</li>
 * </ol>
 *
 * <p>A room joined through another server ({@link Input.JoinedRemoteRoom}) enters by the same
 * steps: its state and auth chain as outliers ({@link StoreJoinState}), then the join, checked
 * and authorised against that state, becomes the room's head. An out-of-band membership
 * ({@link Input.OutOfBandMembership}) is checked for signatures only: its room's state is not here.
 * Backfilled history takes the steps of received events, its states worked out oldest first
 * ({@link PlaceHistory}).
 *
 * <p>Lock order: one room lock at a time (see {@link RoomLocks}); the lock is released once the
 * event is queued for persistence, so the next event of the room is built on this one while the
 * commit is in flight. {@link #submit} returns after the commit.
 */
public final class RoomEventPipeline {

    private final LocalServer server;
    private final EventCache events;
    private final EventStates states;
    private final RoomHeads heads;
    private final RoomLocks locks = new RoomLocks();
    private final RoomRepository rooms;
    private final Persist persist;
    private final RoomGaps gaps;
    private final BuildEvent build;
    private final CheckSignatures signatures;
    private final Authorize authorize;
    private final ResolveState resolve;
    private final StoreJoinState joinState;
    private final PlaceHistory history;
    private final FetchStateBefore fetch;
    private final CreateRoom createRoom;
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
        this.gaps = new RoomGaps(parts.rooms(), parts.events());
        this.persist = new Persist(parts.events(), parts.states(), parts.heads(), parts.persister(), gaps);
        this.clock = parts.clock();
        this.server = parts.server();
        this.remote = parts.remote();
        this.build = new BuildEvent(parts.server(), parts.clock());
        this.signatures = new CheckSignatures(parts.keys());
        this.authorize = new Authorize(parts.events(), parts.keys());
        this.createRoom = new CreateRoom(build, authorize, parts.rooms(), locks, persist);
        this.resolve = new ResolveState(parts.states(), parts.events());
        this.joinState = new StoreJoinState(signatures, authorize, parts.events(), persist);
        this.fetch = new FetchStateBefore(parts.remote(), parts.events(), parts.heads(), resolve,
                new FetchStateBefore.Steps() {
                    @Override
                    public Outcome pulled(Pdu pdu, String origin) {
                        return receivedQueued(pdu, events.stored(pdu.eventId()), origin,
                                PersistRequest.Placement.LIVE, false).join();
                    }

                    @Override
                    public Outcome outlier(Pdu pdu, String origin) {
                        return RoomEventPipeline.this.outlier(pdu, origin);
                    }
                });
        this.history = new PlaceHistory(new PlaceHistory.Parts(new PlaceHistory.Steps() {
            @Override
            public PlaceHistory.Prechecked precheck(Pdu unchecked, String origin) {
                return RoomEventPipeline.this.precheck(unchecked, events.stored(unchecked.eventId()), origin);
            }

            @Override
            public Optional<Map<StateKey, String>> fetchStateBefore(Pdu pdu, String origin) {
                return fetch.fetch(pdu, origin, false);
            }

            @Override
            public CompletableFuture<Outcome> storeRejected(Pdu pdu, AuthResult.Rejected rejected) {
                return RoomEventPipeline.this.storeRejected(pdu, rejected);
            }
        }, heads, locks, authorize, persist, states, resolve));
    }

    /** Runs {@code input} through the pipeline; returns once the outcome is committed (or refused). */
    public Outcome submit(Input input) {
        return switch (input) {
            case Input.LocalEvent local -> local.roomId() == null || isCreate(local)
                    ? createRoom.create(local)
                    : locks.withLock(local.roomId(), () -> submitLocal(local)).join();
            case Input.RemoteEvent r -> received(r.pdu(), r.origin(), PersistRequest.Placement.LIVE);
            case Input.Backfilled b -> backfill(List.of(b.pdu()), b.origin()).getFirst();
            case Input.Outlier o -> outlier(o.pdu(), o.origin());
            case Input.JoinedRemoteRoom j -> joinedRemoteRoom(j);
            case Input.OutOfBandMembership m -> outOfBand(m.pdu());
        };
    }

    /**
     * Builds, hashes and signs a local event on the room's head and authorises it against the
     * current state, without committing it: for an invite of another server's user, which that
     * server must countersign first (server-server API, "Inviting to a room"). Commit the
     * countersigned event as a {@link Input.RemoteEvent}: it takes the steps of a received one.
     */
    public Prepared prepare(Input.LocalEvent input) {
        return locks.withLock(input.roomId(), () -> {
            Optional<RoomHead> head = heads.get(input.roomId());
            if (head.isEmpty()) {
                return new Prepared.Refused(new Outcome.Rejected(null, "room",
                        "this server is not in room " + input.roomId()));
            }
            Pdu pdu = build.onHead(input, head.get());
            AuthResult auth = authorize.againstState(pdu, head.get().currentState());
            if (auth instanceof AuthResult.Rejected r) {
                return new Prepared.Refused(new Outcome.Rejected(pdu.eventId(), r.rule(), r.reason()));
            }
            return new Prepared.Ready(pdu);
        });
    }

    private static boolean isCreate(Input.LocalEvent local) {
        return "m.room.create".equals(local.type()) && "".equals(local.stateKey());
    }

    // ---- local events ----

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
        EventStates.State before = head.state();
        EventStates.State after = ResolveState.after(pdu, before);
        List<String> extremities = new ArrayList<>(head.forwardExtremities());
        extremities.removeAll(pdu.prevEventIds());
        extremities.add(pdu.eventId());
        return persist.live(new Persist.Live(pdu, head, before, after, extremities, after, false), input.transaction());
    }

    // ---- received events ----

    /**
     * Runs one room's received events ({@code /send}) through the pipeline in the order given
     * without waiting for each commit: each is decided and queued under the room's lock, and the
     * next is built on it while the commit is in flight (the persister commits them together).
     * Which of them are stored already is asked once for all. Returns one future per input, in
     * order, completing once that event's outcome is committed; an input that fails completes
     * its own future exceptionally and the others go on.
     */
    public List<CompletableFuture<Outcome>> submitInOrder(List<Input.RemoteEvent> inputs) {
        Map<String, StoredEvent> known = events.storedAll(inputs.stream().map(i -> i.pdu().eventId()).toList());
        List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(inputs.size());
        for (Input.RemoteEvent input : inputs) {
            try {
                outcomes.add(receivedQueued(input.pdu(), known.get(input.pdu().eventId()), input.origin(),
                        PersistRequest.Placement.LIVE, true));
            } catch (RuntimeException e) {
                outcomes.add(CompletableFuture.failedFuture(e));
            }
        }
        return outcomes;
    }

    private Outcome received(Pdu unchecked, String origin, PersistRequest.Placement placement) {
        return receivedQueued(unchecked, events.stored(unchecked.eventId()), origin, placement, true).join();
    }

    /** The outcome of an event stored already. */
    private static Outcome knownOutcome(StoredEvent known) {
        return known.isRejected()
                ? new Outcome.Rejected(known.eventId(), "known", known.rejectedReason())
                : new Outcome.Accepted(new PersistedEvent(known.nid(), known.pdu(), known.streamOrdering(),
                known.isVisibleInTimeline(), true));
    }

    /**
     * A received event's steps up to its queueing; the future completes at its commit. What the
     * event lacks is fetched from {@code origin} before the room's lock is taken.
     *
     * @param known         the event as stored (looked up by the caller), or null if it is not
     * @param missingEvents whether to ask {@code origin} for missing prev events (not for an
     *                      event that was itself fetched as one)
     */
    private CompletableFuture<Outcome> receivedQueued(Pdu unchecked, StoredEvent known, String origin,
                                                      PersistRequest.Placement placement, boolean missingEvents) {
        PlaceHistory.Prechecked checked = precheck(unchecked, known, origin);
        if (checked.outcome() != null) {
            return checked.outcome();
        }
        Pdu pdu = checked.pdu();
        Optional<Map<StateKey, String>> fetched = fetch.fetch(pdu, origin,
                missingEvents && placement == PersistRequest.Placement.LIVE);
        return locks.withLock(pdu.roomId(), () -> receivedLocked(pdu, placement, fetched));
    }

    /**
     * The checks of a received event that need no lock: the event to go on with, or its outcome.
     *
     * @param known the event as stored, or null if it is not
     */
    private PlaceHistory.Prechecked precheck(Pdu unchecked, StoredEvent known, String origin) {
        if (known != null && !known.outlier()) {
            return new PlaceHistory.Prechecked(null, CompletableFuture.completedFuture(knownOutcome(known)));
        }
        Pdu pdu;
        switch (signatures.check(unchecked)) {
            case CheckSignatures.Result.Invalid invalid -> {
                return new PlaceHistory.Prechecked(null, CompletableFuture.completedFuture(
                        new Outcome.Rejected(unchecked.eventId(), "signature", invalid.reason())));
            }
            case CheckSignatures.Result.Valid valid -> pdu = valid.pdu();
        }
        fetchMissingAuthEvents(pdu, origin);
        AuthResult auth = authorize.againstAuthEvents(pdu);
        if (auth instanceof AuthResult.Rejected r) {
            return new PlaceHistory.Prechecked(null, storeRejected(pdu, r));
        }
        if (heads.get(pdu.roomId()).isEmpty()) {
            return new PlaceHistory.Prechecked(null, CompletableFuture.completedFuture(
                    new Outcome.Rejected(pdu.eventId(), "room", "this server is not in room " + pdu.roomId())));
        }
        return new PlaceHistory.Prechecked(pdu, null);
    }

    /**
     * Older history of a room ({@code /backfill} from {@code origin}), unchecked: see
     * {@link PlaceHistory}. One outcome per event, in the order given.
     */
    public List<Outcome> backfill(List<Pdu> history, String origin) {
        return history.isEmpty() ? List.of() : this.history.place(history, origin);
    }

    // ---- rooms joined through another server, out-of-band memberships ----

    private Outcome joinedRemoteRoom(Input.JoinedRemoteRoom input) {
        Pdu join;
        switch (signatures.check(input.join())) {
            case CheckSignatures.Result.Invalid invalid -> {
                return new Outcome.Rejected(input.join().eventId(), "signature", invalid.reason());
            }
            case CheckSignatures.Result.Valid valid -> join = valid.pdu();
        }
        Map<StateKey, String> state;
        switch (joinState.store(input, p -> fetchMissingAuthEvents(p, input.origin()))) {
            case StoreJoinState.Result.Refused refused -> {
                return new Outcome.Rejected(join.eventId(), "state", refused.reason());
            }
            case StoreJoinState.Result.Stored stored -> state = stored.state();
        }
        fetchMissingAuthEvents(join, input.origin());
        AuthResult auth = authorize.againstAuthEvents(join);
        if (auth.isAllowed()) {
            auth = authorize.againstState(join, state);
        }
        if (auth instanceof AuthResult.Rejected r) {
            return new Outcome.Rejected(join.eventId(), r.rule(), r.reason());
        }
        rooms.create(join.roomId(), join.roomVersion(), clock.millis());
        Pdu checked = join;
        return locks.withLock(join.roomId(), () -> commitJoin(checked, state)).join();
    }

    /**
     * The join becomes the room's head, on top of the state the resident server gave (stored as a
     * delta on our old copy, on a rejoin). If another of our users got in meanwhile, the room is
     * live here: the join becomes one more extremity, resolved with the others.
     */
    private CompletableFuture<Outcome> commitJoin(Pdu join, Map<StateKey, String> given) {
        Map<StateKey, String> state = StateMaps.of(given);
        Optional<RoomHead> old = heads.get(join.roomId());
        EventStates.State before = old
                .map(h -> ResolveState.derive(h.state(), state))
                .orElseGet(() -> new EventStates.State(StateSnapshot.full(join.roomId(), state), state));
        EventStates.State after = ResolveState.after(join, before);
        if (old.isPresent() && hasLocalMember(old.get())) {
            List<String> extremities = new ArrayList<>(old.get().forwardExtremities());
            extremities.removeAll(join.prevEventIds());
            extremities.add(join.eventId());
            EventStates.State current = resolveWith(join, after, extremities).orElse(after);
            return persist.live(new Persist.Live(join, old.get(), before, after, extremities, current, false));
        }
        // A room new here had no state: its every membership is a change (an empty snapshot, never written).
        RoomHead previous = old.orElseGet(() -> new RoomHead(join.roomId(), join.roomVersion(), List.of(), Map.of(),
                StateSnapshot.full(join.roomId(), Map.of()), 0));
        // The join is the only extremity: what we held of the room before is history, not a branch.
        return persist.live(new Persist.Live(join, previous, before, after, List.of(join.eventId()), after, false));
    }

    /** Whether a user of this server is joined in the head's state: our copy of the room is live. */
    private boolean hasLocalMember(RoomHead head) {
        for (Map.Entry<StateKey, String> entry : head.currentState().entrySet()) {
            if (entry.getKey().type().equals(StateKey.MEMBER) && server.isLocalUser(entry.getKey().stateKey())) {
                Pdu member = events.get(entry.getValue());
                if (member != null && "join".equals(member.membership())) {
                    return true;
                }
            }
        }
        return false;
    }

    private Outcome outOfBand(Pdu unchecked) {
        if (!"m.room.member".equals(unchecked.type()) || unchecked.stateKey() == null
                || unchecked.membership() == null) {
            return new Outcome.Rejected(unchecked.eventId(), "format", "an out-of-band event is a membership event");
        }
        StoredEvent known = events.stored(unchecked.eventId());
        if (known != null && (!known.outlier() || known.streamOrdering() != null)) {
            return new Outcome.Accepted(new PersistedEvent(known.nid(), known.pdu(), known.streamOrdering(), false,
                    true));
        }
        return switch (signatures.check(unchecked)) {
            case CheckSignatures.Result.Invalid invalid ->
                    new Outcome.Rejected(unchecked.eventId(), "signature", invalid.reason());
            case CheckSignatures.Result.Valid valid ->
                    persist.store(PersistRequest.outOfBand(valid.pdu()), null).join();
        };
    }

    /**
     * Under the room's lock: the received event decided on the room's head as it is now, and
     * queued.
     *
     * @param fetched the state before the event as its origin gave it, used if the state is still
     *                unknown here
     */
    private CompletableFuture<Outcome> receivedLocked(Pdu pdu, PersistRequest.Placement placement,
                                                      Optional<Map<StateKey, String>> fetched) {
        StoredEvent meanwhile = events.cached(pdu.eventId());
        if (meanwhile != null && !meanwhile.outlier()) {
            // Decided since it was looked up (another copy of it, or fetched as a missing event):
            // it is not built on twice; its outcome is the first copy's, once committed.
            return persist.inFlight(pdu.eventId()).orElseGet(
                    () -> CompletableFuture.completedFuture(knownOutcome(meanwhile)));
        }
        RoomHead head = heads.get(pdu.roomId()).orElseThrow();
        Optional<EventStates.State> before = resolve.before(pdu)
                .or(() -> fetched.map(state -> ResolveState.derive(head.state(), state)));
        if (before.isEmpty()) {
            return CompletableFuture.completedFuture(new Outcome.Rejected(pdu.eventId(), "prev_events",
                    "the state before the event is unknown and could not be fetched"));
        }
        AuthResult auth = authorize.againstState(pdu, before.get().entries());
        if (auth instanceof AuthResult.Rejected r) {
            return storeRejected(pdu, r);
        }
        EventStates.State after = ResolveState.after(pdu, before.get());
        boolean softFailed = !authorize.againstState(pdu, head.currentState()).isAllowed();
        if (softFailed) {
            return persist.store(new PersistRequest(pdu, placement, null, true, before.get().snapshot(),
                    after.snapshot(), null, null), after);
        }
        List<String> extremities = new ArrayList<>(head.forwardExtremities());
        extremities.removeAll(pdu.prevEventIds());
        // Later events (received with state fetched for them) may build on this one already: it
        // then fills a gap, and is no extremity itself.
        boolean filler = isBuiltOnAlready(pdu, head);
        if (!filler) {
            extremities.add(pdu.eventId());
        } else if (extremities.isEmpty()) {
            extremities.addAll(head.forwardExtremities());
        }
        EventStates.State current = extremities.size() == 1 && !filler
                ? after
                : resolveWith(pdu, after, extremities).orElse(head.state());
        return persist.live(new Persist.Live(pdu, head, before.get(), after, extremities, current, false));
    }

    /**
     * The room's state resolved over {@code extremities}, {@code pdu} among them. The event and
     * the state after it are held first: state resolution looks them up like any other event's
     * before the commit (an event it cannot find is left out of the resolution). If the
     * resolution fails, they are dropped again.
     */
    private Optional<EventStates.State> resolveWith(Pdu pdu, EventStates.State after, List<String> extremities) {
        states.remember(pdu.eventId(), after);
        events.pending(new StoredEvent(0, pdu, null, false, false, null));
        try {
            return resolve.resolve(pdu.roomId(), pdu.roomVersion(), extremities);
        } catch (RuntimeException | Error e) {
            events.remove(pdu.eventId());
            states.forget(pdu.eventId());
            throw e;
        }
    }

    /** Whether an extremity, or any event of the room stored, names {@code pdu} among its prev events. */
    private boolean isBuiltOnAlready(Pdu pdu, RoomHead head) {
        for (String id : head.forwardExtremities()) {
            Pdu extremity = events.get(id);
            if (extremity != null && extremity.prevEventIds().contains(pdu.eventId())) {
                return true;
            }
        }
        return gaps.isPrevOfStoredEvent(pdu.roomId(), pdu.eventId());
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
            return storeRejected(pdu, r).join();
        }
        return persist.store(PersistRequest.outlier(pdu, null), null).join();
    }

    private void fetchMissingAuthEvents(Pdu pdu, String origin) {
        Map<String, StoredEvent> stored = events.storedAll(pdu.authEventIds());
        for (String id : pdu.authEventIds()) {
            if (!stored.containsKey(id)) {
                remote.event(origin, pdu.roomVersion(), id).ifPresent(p -> outlier(p, origin));
            }
        }
    }

    /** Queues a rejected event's storing (so it is not fetched again); the rejection, once committed. */
    private CompletableFuture<Outcome> storeRejected(Pdu pdu, AuthResult.Rejected r) {
        return persist.store(PersistRequest.outlier(pdu, r.rule() + ": " + r.reason()), null)
                .thenApply(stored -> new Outcome.Rejected(pdu.eventId(), r.rule(), r.reason()));
    }

    /** The caches of this part's parts, by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return resolve.caches();
    }
}
