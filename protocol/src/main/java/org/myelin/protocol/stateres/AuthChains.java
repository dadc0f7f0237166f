package org.myelin.protocol.stateres;

import org.myelin.protocol.event.Pdu;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Auth chains for one resolution (v2 "Definitions", "Auth chain"): from the caller's
 * {@link AuthChainSource} when it has one, else by walking {@code auth_events} through the
 * {@link ResolutionEvents}. The chain of each single event is remembered once computed.
 * Events the source does not have end the walk there.
 */
final class AuthChains {

    private final ResolutionEvents events;
    private final AuthChainSource index;
    private final Map<String, Set<String>> chains = new HashMap<>();

    /** @param index the caller's auth chain index, or null to walk {@code auth_events} */
    AuthChains(ResolutionEvents events, AuthChainSource index) {
        this.events = events;
        this.index = index;
    }

    /** The auth chain of one event, read-only. */
    Set<String> of(String eventId) {
        Set<String> chain = chains.get(eventId);
        if (chain == null) {
            chain = Collections.unmodifiableSet(index != null
                    ? new HashSet<>(index.authChain(List.of(eventId)))
                    : walk(List.of(eventId), id -> false, false));
            chains.put(eventId, chain);
        }
        return chain;
    }

    /** The union of the auth chains of {@code eventIds}, as {@link AuthChainSource#authChain}. */
    Set<String> unionOf(Collection<String> eventIds) {
        return index != null ? new HashSet<>(index.authChain(eventIds)) : walk(eventIds, id -> false, false);
    }

    /**
     * The events {@code eventIds} together with their auth chains, less {@code known}.
     * {@code known} must be closed under {@code auth_events} (hold the auth chain of each of its
     * events): then nothing below it is new either, and the walk stops at its edge rather than
     * going over it again.
     */
    Set<String> closureExcept(Collection<String> eventIds, Predicate<String> known) {
        Set<String> closure;
        if (index != null) {
            closure = new HashSet<>(index.authChain(eventIds));
            closure.addAll(eventIds);
            closure.removeIf(known);
        } else {
            closure = walk(eventIds, known, true);
        }
        return closure;
    }

    /**
     * Everything reachable from {@code starts} by following {@code auth_events} and not in
     * {@code stop}, without going through {@code stop}; the starts themselves if
     * {@code withStarts} (and not in {@code stop}).
     */
    private Set<String> walk(Collection<String> starts, Predicate<String> stop, boolean withStarts) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        for (String start : starts) {
            if (!stop.test(start)) {
                if (withStarts) {
                    seen.add(start);
                }
                todo.push(start);
            }
        }
        while (!todo.isEmpty()) {
            Pdu event = events.get(todo.pop());
            if (event == null) {
                continue;
            }
            for (String authId : event.authEventIds()) {
                if (!stop.test(authId) && seen.add(authId)) {
                    todo.push(authId);
                }
            }
        }
        return seen;
    }
}
