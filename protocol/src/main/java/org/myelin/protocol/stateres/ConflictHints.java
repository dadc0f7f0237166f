package org.myelin.protocol.stateres;

import org.myelin.protocol.event.StateKey;

import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a caller that keeps a room's states as persistent maps made one from another can tell
 * state resolution, so that resolving a few conflicts in a room of many members costs time in
 * proportion to the conflicts, not to the room: which keys may differ between the state sets, and
 * the events of the unconflicted state map with their auth chains (which every full auth chain
 * holds, v2 "Auth difference"), kept from one resolution to the next. Whatever the hints, the
 * resolution is the same as without them.
 */
public interface ConflictHints {

    /** Every key whose entries are not the same in all the state sets; keys that are may be among them. */
    Set<StateKey> differingKeys();

    /**
     * Membership in U: the events of the unconflicted state map and the auth chains of those
     * events. The unconflicted state map is {@code first}, the first state set, without the
     * {@code conflicted} keys.
     */
    Predicate<String> unconflictedAuthClosure(Map<StateKey, String> first, Set<StateKey> conflicted);
}
