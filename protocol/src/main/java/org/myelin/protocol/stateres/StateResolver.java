package org.myelin.protocol.stateres;

import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * State resolution: the state of a room before an event whose {@code prev_events} lead to
 * different states, "the resolution of the set of states after the prev_events" (room versions,
 * "State resolution"; server-server API, "Room State Resolution"). Which algorithm depends on the
 * room version's {@link org.myelin.protocol.version.StateResAlgorithm}:
 *
 * <ul>
 *   <li>{@code V1}, room version 1 ({@code rooms/v1}): {@link StateResolutionV1};</li>
 *   <li>{@code V2}, room versions 2 to 11 ({@code rooms/fragments/v2-state-res}):
 *       {@link StateResolutionV2};</li>
 *   <li>{@code V2_1}, room version 12 ({@code rooms/v12}): v2 with the iterative auth checks
 *       starting from an empty state and the conflicted state subgraph in the full conflicted
 *       set.</li>
 * </ul>
 *
 * <p>Pure: events come from the caller's {@link EventSource}, auth chains from its
 * {@link AuthChainSource} or a walk of {@code auth_events}; the same input always gives the same
 * state, whatever the order of the state sets.
 */
public final class StateResolver {

    private static final StateResolver STANDARD = new StateResolver(AuthCheck.standard(), PowerLevelLookup.standard());

    private final AuthCheck auth;
    private final PowerLevelLookup power;

    /**
     * A resolver applying other authorisation rules than the standard ones, or reading power
     * levels otherwise; for tests and experiments.
     */
    public StateResolver(AuthCheck auth, PowerLevelLookup power) {
        this.auth = Objects.requireNonNull(auth, "auth");
        this.power = Objects.requireNonNull(power, "power");
    }

    /** The resolver with the authorisation rules of {@code protocol.auth}. */
    public static StateResolver standard() {
        return STANDARD;
    }

    /**
     * The resolved state of {@code stateSets}, each a map from state key to event id, walking auth
     * chains through {@code events}.
     */
    public static Map<StateKey, String> resolve(RoomVersion version, List<Map<StateKey, String>> stateSets,
                                                EventSource events) {
        return STANDARD.resolveStates(version, stateSets, events, null);
    }

    /** As {@link #resolve(RoomVersion, List, EventSource)}, with auth chains from an index. */
    public static Map<StateKey, String> resolve(RoomVersion version, List<Map<StateKey, String>> stateSets,
                                                EventSource events, AuthChainSource authChains) {
        return STANDARD.resolveStates(version, stateSets, events, Objects.requireNonNull(authChains, "authChains"));
    }

    /**
     * The resolved state of {@code stateSets} as a change to the first of them, with what the
     * caller knows of the sets: in time proportional to their differences, not to the room's size
     * (room versions 2 and later; version 1 compares the sets whole).
     */
    public static ResolvedChanges resolveChanges(RoomVersion version, List<Map<StateKey, String>> stateSets,
                                                 EventSource events, ConflictHints hints) {
        return STANDARD.resolveStateChanges(version, stateSets, events, Objects.requireNonNull(hints, "hints"));
    }

    /** As {@link #resolveChanges}, under this resolver's rules. */
    public ResolvedChanges resolveStateChanges(RoomVersion version, List<Map<StateKey, String>> stateSets,
                                               EventSource events, ConflictHints hints) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(events, "events");
        if (stateSets.isEmpty()) {
            throw new IllegalArgumentException("no state sets to resolve");
        }
        if (stateSets.size() == 1) {
            return ResolvedChanges.NONE;
        }
        ResolutionEvents cache = new ResolutionEvents(events);
        return switch (version.stateRes()) {
            case V1 -> changesFrom(stateSets.get(0), new StateResolutionV1(auth, cache).resolve(stateSets));
            case V2 -> v2(cache, null).resolveChanges(stateSets, false, hints);
            case V2_1 -> v2(cache, null).resolveChanges(stateSets, true, hints);
        };
    }

    /** {@code resolved} as a change to {@code first}. */
    private static ResolvedChanges changesFrom(Map<StateKey, String> first, Map<StateKey, String> resolved) {
        Set<StateKey> changed = new HashSet<>();
        first.forEach((key, id) -> {
            if (!id.equals(resolved.get(key))) {
                changed.add(key);
            }
        });
        Map<StateKey, String> entries = new HashMap<>();
        resolved.forEach((key, id) -> {
            if (!id.equals(first.get(key))) {
                changed.add(key);
                entries.put(key, id);
            }
        });
        return new ResolvedChanges(changed, entries);
    }

    /**
     * The resolved state of {@code stateSets} under this resolver's rules.
     *
     * @param authChains the caller's auth chain index, or null to walk {@code auth_events}
     */
    public Map<StateKey, String> resolveStates(RoomVersion version, List<Map<StateKey, String>> stateSets,
                                               EventSource events, AuthChainSource authChains) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(events, "events");
        if (stateSets.isEmpty()) {
            return Map.of();
        }
        if (stateSets.size() == 1) {
            return Map.copyOf(stateSets.get(0));
        }
        ResolutionEvents cache = new ResolutionEvents(events);
        Map<StateKey, String> resolved = switch (version.stateRes()) {
            case V1 -> new StateResolutionV1(auth, cache).resolve(stateSets);
            case V2 -> v2(cache, authChains).resolve(stateSets, false);
            case V2_1 -> v2(cache, authChains).resolve(stateSets, true);
        };
        return Collections.unmodifiableMap(resolved);
    }

    private StateResolutionV2 v2(ResolutionEvents cache, AuthChainSource authChains) {
        return new StateResolutionV2(auth, power, cache, new AuthChains(cache, authChains));
    }
}
