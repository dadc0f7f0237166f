package org.myelin.protocol.stateres;

import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;
import org.myelin.protocol.version.StateResAlgorithm;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Where state resolution v2.1 (room version 12) and v2 part: the two problems of MSC4297 that v2.1
 * fixes. Both need a state set that is <em>stale</em>: it holds an older event for a key than the
 * auth chains of its own events show, as when a server got the state by partial synchronisation
 * ({@code /state_ids}) from a server with an outdated view. Each problem is resolved twice on the
 * same room version 12 events: by v2.1, and by a copy of room version 12 that resolves by v2.
 */
class StateResV21Test {

    static final String ALICE = "@alice:a.example";
    static final String BOB = "@bob:b.example";
    static final String CHARLIE = "@charlie:c.example";

    /** Room version 12 in all but its state resolution, which is v2. */
    static final RoomVersion V12_RESOLVED_BY_V2 = new RoomVersion("12", true, RoomVersions.V12.eventFormat(),
            RoomVersions.V12.redactsInContent(), RoomVersions.V12.redaction(), RoomVersions.V12.auth(),
            StateResAlgorithm.V2, RoomVersions.V12.enforceKeyValidity());

    /**
     * Problem A, "conflicted events can be unauthorised by the unconflicted state": Alice set the
     * join rules twice and left. A stale state set holds her first join rules. Both sets agree she
     * left, so in v2 both join rules events are replayed over a state where she is gone and both
     * fail: the room loses its join rules. v2.1 starts the replay from an empty state, so each is
     * checked against its own auth events (where Alice is joined) and the later one stands.
     */
    @Test
    void joinRulesSurviveTheirSendersDepartureOnlyWhenTheReplayStartsFromAnEmptyState() {
        TestRoom room = TestRoom.create(RoomVersions.V12, ALICE);
        TestRoom.Branch main = room.main();
        String firstJoinRules = main.state().get(StateKey.joinRules());
        main.join(BOB);
        Pdu inviteOnly = main.joinRules(ALICE, "invite");
        main.leave(ALICE);
        Map<StateKey, String> current = main.state();
        Map<StateKey, String> stale = with(current, StateKey.joinRules(), firstJoinRules);

        Map<StateKey, String> byV21 = Resolutions.resolveInEveryOrder(RoomVersions.V12, List.of(current, stale), room);
        Map<StateKey, String> byV2 = Resolutions.resolveInEveryOrder(V12_RESOLVED_BY_V2, List.of(current, stale), room);

        assertEquals(inviteOnly.eventId(), byV21.get(StateKey.joinRules()));
        assertFalse(byV2.containsKey(StateKey.joinRules()), "v2 resets the join rules away");
    }

    /**
     * Problem B, "conflicting events need extra unconflicted events in order to be authorised":
     * Alice promotes Bob, Bob promotes Charlie, Charlie sets the topic. A stale state set holds the
     * first power levels, though its topic cites the last. Bob's promotion is in both sets' auth
     * chains, so it is not in the auth difference, and v2 replays Charlie's promotion without it:
     * Bob has no power to promote, and the power levels reset to the first. v2.1 adds the
     * conflicted state subgraph, the events on auth paths between the two conflicted power levels:
     * Bob's promotion is replayed too, and the last power levels stand.
     */
    @Test
    void promotionsSurviveAStalePowerLevelsOnlyWithTheConflictedSubgraph() {
        TestRoom room = TestRoom.create(RoomVersions.V12, ALICE);
        TestRoom.Branch main = room.main();
        String firstPowerLevels = main.state().get(StateKey.powerLevels());
        main.join(BOB);
        main.join(CHARLIE);
        main.powerLevels(ALICE, Map.of(BOB, 100));
        Pdu charliePromoted = main.powerLevels(BOB, Map.of(BOB, 100, CHARLIE, 50));
        main.topic(CHARLIE, "promoted");
        Map<StateKey, String> current = main.state();
        Map<StateKey, String> stale = with(current, StateKey.powerLevels(), firstPowerLevels);

        Map<StateKey, String> byV21 = Resolutions.resolveInEveryOrder(RoomVersions.V12, List.of(current, stale), room);
        Map<StateKey, String> byV2 = Resolutions.resolveInEveryOrder(V12_RESOLVED_BY_V2, List.of(current, stale), room);

        assertEquals(charliePromoted.eventId(), byV21.get(StateKey.powerLevels()));
        assertEquals(firstPowerLevels, byV2.get(StateKey.powerLevels()), "v2 resets the power levels");
    }

    /** The same stale join rules in a room version 11 room: v2 loses them there too. */
    @Test
    void roomVersion11LosesTheJoinRulesOfADepartedSender() {
        TestRoom room = TestRoom.create(RoomVersions.V11, ALICE);
        TestRoom.Branch main = room.main();
        String firstJoinRules = main.state().get(StateKey.joinRules());
        main.join(BOB);
        main.joinRules(ALICE, "invite");
        main.leave(ALICE);
        Map<StateKey, String> current = main.state();

        Map<StateKey, String> resolved = Resolutions.resolveInEveryOrder(RoomVersions.V11,
                List.of(current, with(current, StateKey.joinRules(), firstJoinRules)), room);

        assertFalse(resolved.containsKey(StateKey.joinRules()));
    }

    private static Map<StateKey, String> with(Map<StateKey, String> state, StateKey key, String eventId) {
        Map<StateKey, String> changed = new HashMap<>(state);
        changed.put(key, eventId);
        return changed;
    }
}
