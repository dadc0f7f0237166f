package org.myelin.rooms.pipeline;

import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;

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
import java.util.function.Function;

/**
 * The step for a room joined through another server (server-server API, "Joining Rooms": the
 * answer of {@code send_join}): every event of the state before the join and of its auth chain
 * is checked (signatures, hashes, auth against its own auth events) and stored as an outlier,
 * each after the auth events it names, so that the rules always find them. The state is what
 * passed: rejected state events are left out, two events for one state key or a missing create
 * event refuse the whole answer.
 */
final class StoreJoinState {

    /** What came of the answer. */
    sealed interface Result {
        /** The state before the join, state key to event id. */
        record Stored(Map<StateKey, String> state) implements Result {
        }

        record Refused(String reason) implements Result {
        }
    }

    /**
     * Stores the state and auth chain of {@code input} through {@code outlier} (the pipeline's
     * outlier path) and returns the state before the join.
     */
    Result store(Input.JoinedRemoteRoom input, Function<Pdu, Outcome> outlier) {
        String roomId = input.join().roomId();
        Map<String, Pdu> all = new LinkedHashMap<>();
        for (Pdu p : input.authChain()) {
            all.putIfAbsent(p.eventId(), p);
        }
        for (Pdu p : input.state()) {
            all.putIfAbsent(p.eventId(), p);
        }
        Map<String, String> refused = new LinkedHashMap<>();
        for (Pdu p : authOrder(all)) {
            Outcome outcome = p.roomId().equals(roomId) ? outlier.apply(p)
                    : new Outcome.Rejected(p.eventId(), "room", "of another room");
            if (outcome instanceof Outcome.Rejected r) {
                refused.put(p.eventId(), p.type() + " " + r.rule() + ": " + r.reason());
            }
        }
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
