package org.myelin.protocol.stateres;

import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** State resolution of room version 1 ({@code rooms/v1.md}, "State resolution"), and where v2 differs. */
class StateResV1Test {

    static final String ALICE = "@alice:a.example";
    static final String BOB = "@bob:b.example";
    static final String CHARLIE = "@charlie:c.example";
    static final String DAVE = "@dave:d.example";

    @Test
    void identicalStatesResolveToThemselves() {
        TestRoom room = TestRoom.create(RoomVersions.V1, ALICE);
        room.main().join(BOB);
        Map<StateKey, String> state = room.main().state();

        assertEquals(state, resolve(RoomVersions.V1, room, state, state));
    }

    /**
     * "Sort the list by ascending depth [...] Add the first event in the list to R. For each
     * subsequent event [...] If it would not be allowed, stop": the demotion of Bob is allowed
     * after the first power levels; Bob's own change after it is not.
     */
    @Test
    void powerLevelsAreTakenUpByDepthUntilTheRulesRefuseOne() {
        TestRoom room = moderatedRoom(RoomVersions.V1);
        TestRoom.Branch a = room.main().fork();
        TestRoom.Branch b = room.main().fork();
        Pdu demotion = a.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 0));
        b.topic(BOB, "first");
        b.powerLevels(BOB, Map.of(ALICE, 100, BOB, 50, DAVE, 10));

        assertEquals(demotion.eventId(), resolve(RoomVersions.V1, room, a.state(), b.state()).get(StateKey.powerLevels()));
    }

    /** When the rules allow each in turn, the deepest power levels are the last taken up, and stay. */
    @Test
    void theDeepestPowerLevelsStayWhenTheRulesAllowEach() {
        TestRoom room = moderatedRoom(RoomVersions.V1);
        TestRoom.Branch a = room.main().fork();
        TestRoom.Branch b = room.main().fork();
        a.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50, DAVE, 10));
        b.topic(ALICE, "first");
        Pdu deeper = b.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50, DAVE, 20));

        assertEquals(deeper.eventId(), resolve(RoomVersions.V1, room, a.state(), b.state()).get(StateKey.powerLevels()));
    }

    /** Power levels first, then memberships against them: the demoted moderator's ban fails, as in v2. */
    @Test
    void aBanRacingTheBannersDemotionFails() {
        TestRoom room = moderatedRoom(RoomVersions.V1);
        String charlieJoin = room.main().state().get(StateKey.member(CHARLIE));
        TestRoom.Branch a = room.main().fork();
        TestRoom.Branch b = room.main().fork();
        Pdu demotion = a.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 0));
        b.ban(BOB, CHARLIE);

        Map<StateKey, String> resolved = resolve(RoomVersions.V1, room, a.state(), b.state());

        assertEquals(demotion.eventId(), resolved.get(StateKey.powerLevels()));
        assertEquals(charlieJoin, resolved.get(StateKey.member(CHARLIE)));
    }

    /**
     * "A conflict occurs between states where those states have different event_ids for the same
     * (event_type, state_key)": a key one state lacks is no conflict in v1, so a join racing a change
     * to invite-only stays. In v2 the missing key is a conflict and the join is replayed after the
     * join rules, and fails.
     */
    @Test
    void aJoinRacingAChangeToInviteOnlyStaysInV1AndFailsInV2() {
        for (RoomVersion version : List.of(RoomVersions.V1, RoomVersions.V2)) {
            TestRoom room = moderatedRoom(version);
            TestRoom.Branch a = room.main().fork();
            TestRoom.Branch b = room.main().fork();
            a.joinRules(ALICE, "invite");
            Pdu daveJoin = b.join(DAVE);

            String resolved = resolve(version, room, a.state(), b.state()).get(StateKey.member(DAVE));

            assertEquals(version == RoomVersions.V1 ? daveJoin.eventId() : null, resolved, version.toString());
        }
    }

    /**
     * "For all other conflicts, just pick the event with the highest depth [...] that passes
     * authentication in R": the topic deeper in the graph wins in v1, the later one in v2.
     */
    @Test
    void otherConflictsGoToTheDeepestEventInV1AndTheLatestInV2() {
        for (RoomVersion version : List.of(RoomVersions.V1, RoomVersions.V2)) {
            TestRoom room = moderatedRoom(version);
            TestRoom.Branch a = room.main().fork();
            TestRoom.Branch b = room.main().fork();
            a.at(20_000).topic(ALICE, "first");
            Pdu deeper = a.at(20_001).topic(ALICE, "deeper");
            Pdu later = b.at(30_000).topic(BOB, "later");

            String resolved = resolve(version, room, a.state(), b.state()).get(StateKey.of("m.room.topic", ""));

            assertEquals(version == RoomVersions.V1 ? deeper.eventId() : later.eventId(), resolved, version.toString());
        }
    }

    /** Alice (100) and Bob (50), both joined with Charlie. */
    private static TestRoom moderatedRoom(RoomVersion version) {
        TestRoom room = TestRoom.create(version, ALICE);
        room.main().join(BOB);
        room.main().join(CHARLIE);
        room.main().powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50));
        return room;
    }

    private static Map<StateKey, String> resolve(RoomVersion version, TestRoom room, Map<StateKey, String> first,
                                                 Map<StateKey, String> second) {
        return Resolutions.resolveInEveryOrder(version, List.of(first, second), room);
    }
}
