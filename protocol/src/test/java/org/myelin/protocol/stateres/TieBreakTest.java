package org.myelin.protocol.stateres;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.json.CanonicalJson;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The last tie-break of both orderings (v2 "Definitions"): same power (or mainline position) and
 * same {@code origin_server_ts}, "but x's event_id is less than y's event_id". The smaller id is
 * applied first, so the greater one is the one left in the state. Event ids are not known before
 * the events are built, which is why these cases are not fixtures.
 */
class TieBreakTest {

    static final String ALICE = "@alice:a.example";
    static final String BOB = "@bob:b.example";

    static Stream<RoomVersion> v2Versions() {
        return RoomVersions.all().stream().filter(v -> !v.id().equals("1"));
    }

    @ParameterizedTest
    @MethodSource("v2Versions")
    void concurrentJoinRulesWithSameSenderAndTimestampLeaveTheGreaterEventId(RoomVersion version) {
        TestRoom room = TestRoom.create(version, ALICE);
        TestRoom.Branch a = room.main().fork();
        TestRoom.Branch b = room.main().fork();
        Pdu invite = a.at(50_000).joinRules(ALICE, "invite");
        Pdu knock = b.at(50_000).joinRules(ALICE, "knock");

        Map<StateKey, String> resolved = Resolutions.resolveInEveryOrder(version, List.of(a.state(), b.state()), room);

        assertEquals(greaterId(invite, knock), resolved.get(StateKey.joinRules()));
    }

    @ParameterizedTest
    @MethodSource("v2Versions")
    void concurrentTopicsOnTheSameMainlineAndTimestampLeaveTheGreaterEventId(RoomVersion version) {
        TestRoom room = TestRoom.create(version, ALICE);
        room.main().join(BOB);
        room.main().powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50));
        TestRoom.Branch a = room.main().fork();
        TestRoom.Branch b = room.main().fork();
        Pdu fromAlice = a.at(50_000).topic(ALICE, "alice's");
        Pdu fromBob = b.at(50_000).topic(BOB, "bob's");

        Map<StateKey, String> resolved = Resolutions.resolveInEveryOrder(version, List.of(a.state(), b.state()), room);

        assertEquals(greaterId(fromAlice, fromBob), resolved.get(StateKey.of("m.room.topic", "")));
    }

    private static String greaterId(Pdu x, Pdu y) {
        return CanonicalJson.CODE_POINT_ORDER.compare(x.eventId(), y.eventId()) > 0 ? x.eventId() : y.eventId();
    }
}
