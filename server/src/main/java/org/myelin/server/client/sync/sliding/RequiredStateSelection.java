package org.myelin.server.client.sync.sliding;

import org.myelin.protocol.event.StateKey;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which state entries a room's {@code required_state} sends (Synapse's {@code get_room_sync_data}
 * and {@code _required_state_changes}): the first time, every entry it asks for in the room's
 * state, with the members the timeline needs when {@code $LAZY}; afterwards the entries it asks
 * for that changed since the connection's previous response, those it newly asks for, and lazy
 * members the connection does not have yet. With {@code $LAZY} a timeline without a gap carries
 * every membership change, so that a client holding the member list keeps it whole; after a gap,
 * only the timeline's members.
 */
final class RequiredStateSelection {

    private RequiredStateSelection() {
    }

    /**
     * The request for one room.
     *
     * @param lazyUsers   the timeline's senders and membership targets (lazy loading's members)
     * @param deltas      state entries that changed since the previous response (incremental only)
     * @param before      the required state the room was last sent with; null the first time
     * @param sentMembers lazy-loaded members the connection has, user to membership event
     */
    record Request(String userId, RequiredState required, Set<String> lazyUsers, boolean initial, boolean limited,
                   Map<StateKey, String> deltas, RequiredState before, Map<String, String> sentMembers) {
    }

    /** The state entries to send, by key, to event id; {@code state} gives the room's state at the end. */
    static Map<StateKey, String> select(Request r, Supplier<Map<StateKey, String>> state) {
        Map<StateKey, String> chosen = new HashMap<>();
        if (r.required().isEmpty()) {
            return chosen;
        }
        boolean lazy = r.required().lazyMembers() && !r.required().all();
        if (r.initial()) {
            state.get().forEach((key, id) -> {
                if (r.required().matches(key, r.userId())
                        || (lazy && key.type().equals(StateKey.MEMBER) && r.lazyUsers().contains(key.stateKey()))) {
                    chosen.put(key, id);
                }
            });
            return chosen;
        }
        r.deltas().forEach((key, id) -> {
            if (r.required().matches(key, r.userId())) {
                chosen.put(key, id);
            } else if (lazy && key.type().equals(StateKey.MEMBER)
                    && (!r.limited() || r.lazyUsers().contains(key.stateKey()))) {
                chosen.put(key, id);
            }
        });
        Map<StateKey, String> current = null;
        if (r.before() != null && !r.before().equals(r.required())) {
            current = state.get();
            for (Map.Entry<StateKey, String> e : current.entrySet()) {
                if (newlyAsked(e.getKey(), r)) {
                    chosen.put(e.getKey(), e.getValue());
                }
            }
        }
        if (lazy) {
            Set<String> explicitBefore = r.before() == null ? Set.of() : r.before().explicitMembers(r.userId());
            for (String user : r.lazyUsers()) {
                StateKey key = StateKey.member(user);
                if (chosen.containsKey(key) || explicitBefore.contains(user)) {
                    continue;
                }
                if (current == null) {
                    current = state.get();
                }
                String id = current.get(key);
                if (id != null && !id.equals(r.sentMembers().get(user))) {
                    chosen.put(key, id);
                }
            }
        }
        return chosen;
    }

    /** Whether the entry is asked for now and was not before (so the client does not have it). */
    private static boolean newlyAsked(StateKey key, Request r) {
        if (!r.required().matches(key, r.userId()) || r.before().matches(key, r.userId())) {
            return false;
        }
        // A member the connection has as a lazy-loaded one needs no sending again.
        return !(key.type().equals(StateKey.MEMBER) && r.sentMembers().containsKey(key.stateKey()));
    }
}
