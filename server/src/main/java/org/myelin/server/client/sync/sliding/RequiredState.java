package org.myelin.server.client.sync.sliding;

import org.myelin.protocol.event.StateKey;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A room's {@code required_state} (MSC4186): which state events to send, as a map from event type
 * to state keys, normalised as Synapse normalises it ({@code RoomSyncConfig.from_room_config}):
 * {@code ["*", "*"]} swallows everything (and so a {@code $LAZY} beside it: all members are sent),
 * a {@code *} state key swallows the other keys of its type, a {@code *} type swallows the same
 * state key of other types. {@code $LAZY} (only for {@code m.room.member}) asks for the members
 * the timeline needs, {@code $ME} for the user's own key.
 */
public final class RequiredState {

    public static final String WILDCARD = "*";
    public static final String LAZY = "$LAZY";
    public static final String ME = "$ME";

    public static final RequiredState NONE = new RequiredState(Map.of());

    /** Type to state keys; never holds an empty set. */
    private final Map<String, Set<String>> keys;

    private RequiredState(Map<String, Set<String>> keys) {
        Map<String, Set<String>> copy = new HashMap<>();
        keys.forEach((type, stateKeys) -> {
            if (!stateKeys.isEmpty()) {
                copy.put(type, Set.copyOf(stateKeys));
            }
        });
        this.keys = Collections.unmodifiableMap(copy);
    }

    /** The normalised form of {@code [[type, stateKey], ...]}, in request order. */
    public static RequiredState of(List<List<String>> pairs) {
        Map<String, Set<String>> map = new HashMap<>();
        for (List<String> pair : pairs) {
            String type = pair.get(0);
            String stateKey = pair.get(1);
            if (map.getOrDefault(WILDCARD, Set.of()).contains(stateKey)
                    || map.getOrDefault(type, Set.of()).contains(WILDCARD)) {
                continue;
            }
            if (type.equals(WILDCARD) && stateKey.equals(WILDCARD)) {
                map = new HashMap<>();
                map.put(WILDCARD, new HashSet<>(Set.of(WILDCARD)));
                break;
            }
            add(map, type, stateKey);
        }
        return new RequiredState(map);
    }

    /** The union of this and {@code other} (Synapse's {@code combine_room_sync_config}). */
    public RequiredState combine(RequiredState other) {
        Map<String, Set<String>> map = new HashMap<>();
        keys.forEach((type, stateKeys) -> map.put(type, new HashSet<>(stateKeys)));
        for (Map.Entry<String, Set<String>> e : other.keys.entrySet()) {
            String type = e.getKey();
            if (map.getOrDefault(WILDCARD, Set.of()).contains(WILDCARD)) {
                break;
            }
            if (map.getOrDefault(type, Set.of()).contains(WILDCARD)) {
                continue;
            }
            if (type.equals(WILDCARD) && e.getValue().contains(WILDCARD)) {
                map.clear();
                map.put(WILDCARD, new HashSet<>(Set.of(WILDCARD)));
                break;
            }
            for (String stateKey : e.getValue()) {
                if (map.getOrDefault(WILDCARD, Set.of()).contains(stateKey)) {
                    continue;
                }
                add(map, type, stateKey);
                if (stateKey.equals(WILDCARD)) {
                    break;
                }
            }
        }
        return new RequiredState(map);
    }

    /** Adds {@code stateKey} of {@code type}, dropping what the addition now covers. */
    private static void add(Map<String, Set<String>> map, String type, String stateKey) {
        if (type.equals(WILDCARD)) {
            map.entrySet().removeIf(e -> {
                e.getValue().remove(stateKey);
                return e.getValue().isEmpty();
            });
        }
        if (stateKey.equals(WILDCARD)) {
            map.put(type, new HashSet<>(Set.of(WILDCARD)));
        } else {
            map.computeIfAbsent(type, t -> new HashSet<>()).add(stateKey);
        }
    }

    /** Type to state keys, as normalised. */
    public Map<String, Set<String>> keys() {
        return keys;
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** Whether all state is asked for. */
    public boolean all() {
        return keys.getOrDefault(WILDCARD, Set.of()).contains(WILDCARD);
    }

    /** Whether members are lazy-loaded ({@code ["m.room.member", "$LAZY"]}). */
    public boolean lazyMembers() {
        return keys.getOrDefault(StateKey.MEMBER, Set.of()).contains(LAZY);
    }

    /** The members asked for by name ({@code $ME} as {@code userId}), not by {@code *} or {@code $LAZY}. */
    public Set<String> explicitMembers(String userId) {
        Set<String> members = new HashSet<>();
        for (String key : keys.getOrDefault(StateKey.MEMBER, Set.of())) {
            if (key.equals(ME)) {
                members.add(userId);
            } else if (!key.equals(LAZY) && !key.equals(WILDCARD)) {
                members.add(key);
            }
        }
        return members;
    }

    /**
     * Whether the state entry {@code key} is asked for by {@code userId}'s required state, lazy
     * members aside (those the caller adds).
     */
    public boolean matches(StateKey key, String userId) {
        if (all()) {
            return true;
        }
        Set<String> ofType = keys.get(key.type());
        if (ofType != null && (ofType.contains(WILDCARD) || ofType.contains(key.stateKey())
                || (ofType.contains(ME) && key.stateKey().equals(userId)))) {
            return true;
        }
        Set<String> anyType = keys.get(WILDCARD);
        return anyType != null && (anyType.contains(key.stateKey()) || (anyType.contains(ME) && key.stateKey().equals(userId)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequiredState r && keys.equals(r.keys);
    }

    @Override
    public int hashCode() {
        return keys.hashCode();
    }

    @Override
    public String toString() {
        return keys.toString();
    }
}
