package org.myelin.protocol.stateres;

import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersions;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each step of state resolution v2 on its own, on a room where a demoted moderator's ban races the demotion. */
class StateResolutionStepsTest {

    static final String ALICE = "@alice:a.example";
    static final String BOB = "@bob:b.example";
    static final String CHARLIE = "@charlie:c.example";

    final TestRoom room = TestRoom.create(RoomVersions.V11, ALICE);
    final Pdu bobJoin = room.main().join(BOB);
    final Pdu charlieJoin = room.main().join(CHARLIE);
    final Pdu pl1 = room.main().powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50));
    final TestRoom.Branch a = room.main().fork();
    final TestRoom.Branch b = room.main().fork();
    final Pdu pl2 = a.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 0));
    final Pdu ban = b.ban(BOB, CHARLIE);
    final List<Map<StateKey, String>> states = List.of(a.state(), b.state());
    final ResolutionEvents events = new ResolutionEvents(room);
    final AuthChains chains = new AuthChains(events, null);

    @Test
    void splitsOnKeysWhoseEventsDifferOrAreMissing() {
        Map<StateKey, String> withDave = new HashMap<>(a.state());
        withDave.put(StateKey.member("@dave:d.example"), bobJoin.eventId());

        StateSplit split = StateSplit.of(List.of(withDave, b.state()));

        assertEquals(Set.of(StateKey.powerLevels(), StateKey.member(CHARLIE), StateKey.member("@dave:d.example")),
                split.conflicted().keySet());
        assertEquals(Set.of(pl2.eventId(), pl1.eventId()), split.conflicted().get(StateKey.powerLevels()));
        assertEquals(bobJoin.eventId(), split.unconflicted().get(StateKey.member(BOB)));
    }

    /** pl1 is in both sets' chains (the ban cites it, so does pl2); charlie's join too (the ban's target). */
    @Test
    void authDifferenceHoldsWhatOnlySomeStatesReach() {
        assertEquals(Set.of(pl2.eventId(), ban.eventId()),
                AuthDifference.of(states, StateSplit.of(states), chains));
    }

    @Test
    void authDifferenceIsTheSameFromAnAuthChainIndex() {
        AuthChains indexed = new AuthChains(events, this::walkedChain);
        assertEquals(AuthDifference.of(states, StateSplit.of(states), chains),
                AuthDifference.of(states, StateSplit.of(states), indexed));
    }

    @Test
    void powerEventsAreThoseThatCanTakeSomethingAway() {
        assertTrue(PowerEvents.isPowerEvent(pl2));
        assertTrue(PowerEvents.isPowerEvent(ban));
        assertTrue(PowerEvents.isPowerEvent(a.kick(ALICE, BOB)));
        assertTrue(PowerEvents.isPowerEvent(events.get(a.state().get(StateKey.joinRules()))));
        assertFalse(PowerEvents.isPowerEvent(b.leave(BOB)), "a leave of one's own");
        assertFalse(PowerEvents.isPowerEvent(charlieJoin));
        assertFalse(PowerEvents.isPowerEvent(a.topic(ALICE, "t")));
    }

    /**
     * pl1 and Charlie's join have no auth events in the set: pl1 goes first (Alice's power). Then
     * pl2 (Alice, 100) before Charlie's join (Charlie, 0); the ban last, after its auth events.
     */
    @Test
    void powerOrderingPutsAuthEventsFirstThenGreaterPower() {
        Set<String> fullConflicted = Set.of(pl1.eventId(), pl2.eventId(), ban.eventId(), charlieJoin.eventId());

        List<Pdu> sorted = PowerOrdering.sort(fullConflicted, chains, events, PowerLevelLookup.standard());

        assertEquals(List.of(pl1, pl2, charlieJoin, ban), sorted);
    }

    @Test
    void iterativeAuthChecksRejectTheBanOfTheDemotedModerator() {
        PartialState state = PartialState.over(StateSplit.of(states).unconflicted());
        IterativeAuthChecks.apply(List.of(pl1, pl2, charlieJoin, ban), state, events, AuthCheck.standard());

        assertEquals(pl2.eventId(), state.get(StateKey.powerLevels()));
        assertEquals(charlieJoin.eventId(), state.get(StateKey.member(CHARLIE)));
    }

    /** "The appropriate state event from the event's auth_events is used if the auth event is not rejected." */
    @Test
    void iterativeAuthChecksNeverUseARejectedAuthEvent() {
        room.reject(bobJoin.eventId());
        ResolutionEvents withRejection = new ResolutionEvents(room);

        Map<StateKey, Pdu> authState = IterativeAuthChecks.authStateFor(ban, PartialState.empty(), withRejection);

        assertFalse(authState.containsKey(StateKey.member(BOB)));
        assertEquals(pl1, authState.get(StateKey.powerLevels()));
        PartialState state = PartialState.empty();
        IterativeAuthChecks.apply(List.of(ban), state, withRejection, AuthCheck.standard());
        assertNull(state.get(StateKey.member(CHARLIE)), "without Bob's membership the ban fails");
    }

    /** Positions on the mainline of pl2: a topic on pl1 (position 1) sorts before one on pl2 (position 0). */
    @Test
    void mainlineOrderingPutsEventsOnOlderPowerLevelsFirst() {
        Pdu onPl2 = a.at(1).topic(ALICE, "on pl2");
        Pdu onPl1 = b.at(99_999).topic(ALICE, "on pl1");

        assertEquals(List.of(onPl1, onPl2), MainlineOrdering.sort(List.of(onPl2, onPl1), pl2.eventId(), events));
        assertEquals(List.of(onPl2, onPl1), MainlineOrdering.sort(List.of(onPl1, onPl2), null, events),
                "without power levels every position is infinite: by timestamp");
    }

    @Test
    void conflictedSubgraphHoldsTheEventsBetweenConflictedEvents() {
        TestRoom v12 = TestRoom.create(RoomVersions.V12, ALICE);
        TestRoom.Branch main = v12.main();
        String first = main.state().get(StateKey.powerLevels());
        String joinRules = main.state().get(StateKey.joinRules());
        Pdu join = main.join(BOB);
        Pdu promotion = main.powerLevels(ALICE, Map.of(BOB, 100));
        Pdu last = main.powerLevels(BOB, Map.of(BOB, 100, CHARLIE, 50));
        ResolutionEvents v12Events = new ResolutionEvents(v12);

        Set<String> subgraph = ConflictedSubgraph.of(Set.of(first, last.eventId()), new AuthChains(v12Events, null), v12Events);

        assertEquals(Set.of(first, joinRules, join.eventId(), promotion.eventId(), last.eventId()), subgraph);
    }

    /** Resolution with an auth chain index gives the walk's result, and asks the index. */
    @Test
    void resolutionReadsAuthChainsFromAnIndexWhenGivenOne() {
        List<Integer> calls = new ArrayList<>();
        AuthChainSource index = ids -> {
            calls.add(ids.size());
            return walkedChain(ids);
        };

        Map<StateKey, String> indexed = StateResolver.resolve(RoomVersions.V11, states, room, index);

        assertEquals(StateResolver.resolve(RoomVersions.V11, states, room), indexed);
        assertFalse(calls.isEmpty());
    }

    private Set<String> walkedChain(Collection<String> ids) {
        Set<String> chain = new HashSet<>();
        for (String id : ids) {
            chain.addAll(new AuthChains(new ResolutionEvents(room), null).of(id));
        }
        return chain;
    }
}
