package org.myelin.protocol.stateres;

import java.util.Collection;
import java.util.Set;

/**
 * Auth chains from an index, for callers that keep one (a chain cover or closure table in the
 * database). Without it, state resolution walks {@code auth_events} through its
 * {@link EventSource}, remembering what it has walked for the length of one resolution.
 *
 * <p>The <em>auth chain</em> of an event (v2 "Definitions") is "the set containing all of E's auth
 * events, all of their auth events, and so on recursively, stretching back to the start of the
 * room".
 */
@FunctionalInterface
public interface AuthChainSource {

    /**
     * The union of the auth chains of {@code eventIds}: every event reachable from one of them by
     * following {@code auth_events} one or more times. The given events themselves belong to it
     * only if one is in another's auth chain.
     */
    Set<String> authChain(Collection<String> eventIds);
}
