/**
 * State resolution: the state of a room where its event graph forks (room versions, "State
 * resolution"; server-server API, "Room State Resolution"). {@link
 * org.myelin.protocol.stateres.StateResolver} is the entry point; it reads events through an
 * {@link org.myelin.protocol.stateres.EventSource}, auth chains through an optional {@link
 * org.myelin.protocol.stateres.AuthChainSource}, and applies the authorisation rules of {@code
 * protocol.auth} (or an injected {@link org.myelin.protocol.stateres.AuthCheck}). No I/O.
 *
 * <p>One class per step of the algorithm of room versions 2 to 12, in the order they run:
 * <ol>
 *   <li>{@code StateSplit}: the unconflicted state map and the conflicted state set;</li>
 *   <li>{@code AuthDifference} (and {@code AuthChains}): the auth difference;</li>
 *   <li>{@code ConflictedSubgraph}: the conflicted state subgraph (v2.1, room version 12);</li>
 *   <li>{@code FullConflictedSet}: their union;</li>
 *   <li>{@code PowerEvents}, {@code PowerOrdering}: step 1, the power events and their auth
 *       events in the full conflicted set, by reverse topological power ordering;</li>
 *   <li>{@code IterativeAuthChecks} over a {@code PartialState}: step 2, from the unconflicted
 *       state map (v2) or an empty one (v2.1);</li>
 *   <li>{@code MainlineOrdering}: step 3, the remaining events by the mainline of the resolved
 *       power levels;</li>
 *   <li>{@code IterativeAuthChecks}: step 4;</li>
 *   <li>{@code PartialState#withUnconflicted}: step 5, the unconflicted state map laid over.</li>
 * </ol>
 * {@code StateResolutionV2} runs them; {@code StateResolutionV1} is the algorithm of room
 * version 1.
 *
 * <p>A caller that keeps a room's states as persistent maps made one from another can ask for
 * the resolution as a change to the first state set ({@link
 * org.myelin.protocol.stateres.StateResolver#resolveChanges}, a {@link
 * org.myelin.protocol.stateres.ResolvedChanges}), telling it the keys that differ and U, the
 * unconflicted events with their auth chains ({@link org.myelin.protocol.stateres.ConflictHints}):
 * the same resolution, in time proportional to the conflicts rather than to the room's size.
 *
 * <p>Where the spec leaves room, this follows Synapse (DESIGN.md: Synapse breaks ties the spec
 * leaves open), and each class says so: a state set's full auth chain holds its own events;
 * power events count {@code m.room.create} and only the empty state key. Where the spec is
 * explicit it wins: an event of X is ordered after every event of X in its auth chain, not only
 * those it cites through events of the full conflicted set.
 */
package org.myelin.protocol.stateres;
