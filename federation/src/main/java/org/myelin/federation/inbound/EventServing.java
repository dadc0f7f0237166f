package org.myelin.federation.inbound;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.FederationException;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.events.EventCache;
import org.myelin.rooms.head.EventStates;
import org.myelin.storage.events.EventRepository;
import org.myelin.storage.events.StoredEvent;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What other servers may read of our rooms (server-server API, "Retrieving events",
 * "Backfilling and retrieving missing events", "Retrieving event authorisation information"):
 * single events, the state before an event (whole or as ids) with its auth chain, an event's
 * auth chain, missing events and backfill. Every read checks the room's ACL and that the
 * requesting server is in the room ({@link RoomAccess}); rejected events are never served; single
 * events, missing events and backfill come redacted where the room's history visibility hides
 * them from the server ({@link ServerVisibility}). State and auth chains come whole: a server
 * needs them to check anything.
 */
public final class EventServing {

    /** Most events one {@code /get_missing_events} or {@code /backfill} answer carries. */
    static final int MAX_EVENTS = 100;
    /** Most events an auth chain walk visits. */
    static final int MAX_AUTH_CHAIN = 50_000;

    /** A transaction-shaped answer ({@code /event}, {@code /backfill}): origin, time and PDUs. */
    public record PduTransaction(String origin, long originServerTs, List<ObjectNode> pdus) {
    }

    /** {@code /state_ids}: ids of the state before an event and of its auth chain. */
    public record StateIds(List<String> pduIds, List<String> authChainIds) {
    }

    /** {@code /state}: the state before an event and its auth chain. */
    public record State(List<ObjectNode> pdus, List<ObjectNode> authChain) {
    }

    /** {@code /event_auth}. */
    public record AuthChain(List<ObjectNode> authChain) {
    }

    /** {@code /get_missing_events}. */
    public record MissingEvents(List<ObjectNode> events) {
    }

    private final String localServer;
    private final EventCache events;
    private final EventRepository eventRepository;
    private final EventStates states;
    private final RoomAccess access;
    private final ServerVisibility visibility;
    private final Clock clock;

    public EventServing(String localServer, EventCache events, EventRepository eventRepository, EventStates states,
                        RoomAccess access, Clock clock) {
        this.localServer = localServer;
        this.events = events;
        this.eventRepository = eventRepository;
        this.states = states;
        this.access = access;
        this.visibility = new ServerVisibility(events, states, access);
        this.clock = clock;
    }

    /** {@code GET /_matrix/federation/v1/event/{eventId}}. */
    public PduTransaction event(String origin, String eventId) {
        StoredEvent stored = servable(eventId).orElseThrow(() -> FederationException.notFound("Unknown event " + eventId));
        access.requireCanSee(stored.pdu().roomId(), eventId, origin);
        return new PduTransaction(localServer, clock.millis(), visibility.asSeenBy(origin, List.of(stored.pdu())));
    }

    /** {@code GET /_matrix/federation/v1/state_ids/{roomId}?event_id=…}. */
    public StateIds stateIds(String origin, String roomId, String eventId) {
        List<Pdu> state = stateBefore(origin, roomId, eventId);
        List<String> stateIds = state.stream().map(Pdu::eventId).toList();
        List<String> chain = authChain(authEventIds(state)).stream().map(Pdu::eventId).toList();
        return new StateIds(stateIds, chain);
    }

    /** {@code GET /_matrix/federation/v1/state/{roomId}?event_id=…}. */
    public State state(String origin, String roomId, String eventId) {
        List<Pdu> state = stateBefore(origin, roomId, eventId);
        return new State(json(state), json(authChain(authEventIds(state))));
    }

    /** {@code GET /_matrix/federation/v1/event_auth/{roomId}/{eventId}}. */
    public AuthChain eventAuth(String origin, String roomId, String eventId) {
        StoredEvent stored = servable(eventId).filter(e -> e.pdu().roomId().equals(roomId))
                .orElseThrow(() -> FederationException.notFound("Unknown event " + eventId + " in " + roomId));
        access.requireCanSee(roomId, eventId, origin);
        return new AuthChain(json(authChain(stored.pdu().authEventIds())));
    }

    /**
     * {@code POST /_matrix/federation/v1/get_missing_events/{roomId}}: a breadth-first walk of the
     * {@code prev_events} of {@code latest}, not entering {@code earliest}, skipping events below
     * {@code minDepth}, up to {@code limit} events, oldest first.
     */
    public MissingEvents missingEvents(String origin, String roomId, List<String> earliest, List<String> latest,
                                       int limit, long minDepth) {
        access.requireInRoom(roomId, origin);
        Set<String> stop = new HashSet<>(earliest);
        Set<String> seen = new HashSet<>(latest);
        seen.addAll(earliest);
        Deque<String> frontier = new ArrayDeque<>();
        for (StoredEvent e : events.storedAll(latest).values()) {
            if (e.pdu().roomId().equals(roomId)) {
                frontier.addAll(e.pdu().prevEventIds());
            }
        }
        List<Pdu> found = new ArrayList<>();
        int max = Math.min(Math.max(limit, 0), MAX_EVENTS);
        while (!frontier.isEmpty() && found.size() < max) {
            List<String> layer = new ArrayList<>();
            while (!frontier.isEmpty()) {
                String id = frontier.poll();
                if (!stop.contains(id) && seen.add(id)) {
                    layer.add(id);
                }
            }
            Map<String, StoredEvent> loaded = events.storedAll(layer);
            for (String id : layer) {
                StoredEvent e = loaded.get(id);
                if (e == null || e.isRejected() || !e.pdu().roomId().equals(roomId) || e.pdu().depth() < minDepth) {
                    continue;
                }
                if (found.size() < max) {
                    found.add(e.pdu());
                    frontier.addAll(e.pdu().prevEventIds());
                }
            }
        }
        found.sort(Comparator.comparingLong(Pdu::depth));
        return new MissingEvents(visibility.asSeenBy(origin, found));
    }

    /**
     * {@code GET /_matrix/federation/v1/backfill/{roomId}?v=…&limit=…}: the events {@code from}
     * and those before them, breadth-first along {@code prev_events}, up to {@code limit}.
     */
    public PduTransaction backfill(String origin, String roomId, List<String> from, int limit) {
        access.requireInRoom(roomId, origin);
        int max = Math.min(Math.max(limit, 0), MAX_EVENTS);
        Set<String> seen = new HashSet<>();
        Deque<String> frontier = new ArrayDeque<>(from);
        List<Pdu> found = new ArrayList<>();
        while (!frontier.isEmpty() && found.size() < max) {
            List<String> layer = new ArrayList<>();
            while (!frontier.isEmpty()) {
                String id = frontier.poll();
                if (seen.add(id)) {
                    layer.add(id);
                }
            }
            Map<String, StoredEvent> loaded = events.storedAll(layer);
            for (String id : layer) {
                StoredEvent e = loaded.get(id);
                if (e == null || e.isRejected() || !e.pdu().roomId().equals(roomId) || found.size() >= max) {
                    continue;
                }
                found.add(e.pdu());
                frontier.addAll(e.pdu().prevEventIds());
            }
        }
        found.sort(Comparator.comparingLong(Pdu::depth).reversed());
        return new PduTransaction(localServer, clock.millis(), visibility.asSeenBy(origin, found));
    }

    // ---- helpers ----

    private Optional<StoredEvent> servable(String eventId) {
        StoredEvent stored = events.stored(eventId);
        return stored == null || stored.isRejected() ? Optional.empty() : Optional.of(stored);
    }

    /** The events of the state before {@code eventId}, which must have a place in the room's graph. */
    private List<Pdu> stateBefore(String origin, String roomId, String eventId) {
        StoredEvent stored = servable(eventId).filter(e -> e.pdu().roomId().equals(roomId))
                .orElseThrow(() -> FederationException.notFound("Unknown event " + eventId + " in " + roomId));
        access.requireCanSee(roomId, eventId, origin);
        Long snapshot = eventRepository.stateBefore(eventId).orElseThrow(() ->
                FederationException.notFound("The state at " + eventId + " is not known here"));
        Collection<String> ids = states.load(roomId, snapshot).entries().values();
        Map<String, StoredEvent> loaded = events.storedAll(ids);
        List<Pdu> state = new ArrayList<>();
        for (String id : ids) {
            StoredEvent e = loaded.get(id);
            if (e != null) {
                state.add(e.pdu());
            }
        }
        state.sort(Comparator.comparingLong(Pdu::depth).thenComparing(Pdu::eventId));
        return state;
    }

    private static Set<String> authEventIds(List<Pdu> events) {
        Set<String> ids = new LinkedHashSet<>();
        for (Pdu p : events) {
            ids.addAll(p.authEventIds());
        }
        return ids;
    }

    /** The events {@code start} names and, recursively, their auth events; oldest first. */
    List<Pdu> authChain(Collection<String> start) {
        Set<String> seen = new HashSet<>();
        Deque<String> frontier = new ArrayDeque<>(start);
        List<Pdu> chain = new ArrayList<>();
        while (!frontier.isEmpty() && seen.size() < MAX_AUTH_CHAIN) {
            List<String> layer = new ArrayList<>();
            while (!frontier.isEmpty()) {
                String id = frontier.poll();
                if (seen.add(id)) {
                    layer.add(id);
                }
            }
            for (StoredEvent e : events.storedAll(layer).values()) {
                if (!e.isRejected()) {
                    chain.add(e.pdu());
                    frontier.addAll(e.pdu().authEventIds());
                }
            }
        }
        chain.sort(Comparator.comparingLong(Pdu::depth).thenComparing(Pdu::eventId));
        return chain;
    }

    private static List<ObjectNode> json(List<Pdu> pdus) {
        return pdus.stream().map(Pdu::jsonCopy).toList();
    }
}
