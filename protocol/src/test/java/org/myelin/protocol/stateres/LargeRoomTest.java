package org.myelin.protocol.stateres;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.version.RoomVersion;
import org.myelin.protocol.version.RoomVersions;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fork in a room of 10,000 members: state sets of about 10,000 entries that differ in a handful.
 * The resolution must cost in proportion to the fork, plus one linear pass over the state: no
 * work per pair of state entries. Work is counted as event lookups, which is deterministic;
 * how long it takes is the benchmark's business (bench/, StateResolutionBenchmark), never a test's.
 */
class LargeRoomTest {

    static final String ALICE = "@alice:a.example";
    static final int MEMBERS = 10_000;
    /** Far above a linear number of event lookups, far below a quadratic one (10^8). */
    static final long LOOKUP_LIMIT = 20L * MEMBERS;
    /** Far below the number of members: a resolution told what differs looks at the conflicts only. */
    static final long CONFLICT_LOOKUP_LIMIT = 200;

    static Stream<RoomVersion> versions() {
        return Stream.of(RoomVersions.V11, RoomVersions.V12);
    }

    static String member(int i) {
        return "@user" + i + ":s" + (i % 50) + ".example";
    }

    @ParameterizedTest
    @MethodSource("versions")
    void resolvesAForkInARoomOfTenThousandMembersWithLinearWork(RoomVersion version) {
        TestRoom room = TestRoom.create(version, ALICE);
        TestRoom.Branch main = room.main();
        for (int i = 0; i < MEMBERS; i++) {
            main.join(member(i));
        }
        main.powerLevels(ALICE, Map.of(ALICE, 100, member(1), 50));
        TestRoom.Branch a = main.fork();
        TestRoom.Branch b = main.fork();
        Pdu ban = a.ban(ALICE, member(17));
        Pdu topic = a.topic(ALICE, "a fork");
        Pdu demotion = a.powerLevels(ALICE, Map.of(ALICE, 100));
        Pdu kickByDemoted = b.kick(member(1), member(99));
        Pdu newcomer = b.join("@newcomer:n.example");
        Pdu leave = b.leave(member(42));
        List<Map<StateKey, String>> states = List.of(a.state(), b.state());

        java.util.concurrent.atomic.AtomicLong lookups = new java.util.concurrent.atomic.AtomicLong();
        EventSource counting = id -> {
            lookups.incrementAndGet();
            return room.get(id);
        };
        Map<StateKey, String> resolved = StateResolver.resolve(version, states, counting);
        assertEquals(resolved, StateResolver.resolve(version, states.reversed(), room));

        assertTrue(lookups.get() < LOOKUP_LIMIT, "resolution looked up " + lookups.get() + " events");
        assertEquals(MEMBERS + 6, resolved.size());
        assertEquals(ban.eventId(), resolved.get(StateKey.member(member(17))));
        assertEquals(topic.eventId(), resolved.get(StateKey.of("m.room.topic", "")));
        assertEquals(demotion.eventId(), resolved.get(StateKey.powerLevels()));
        assertEquals(main.state().get(StateKey.member(member(99))), resolved.get(StateKey.member(member(99))),
                "the kick " + kickByDemoted.eventId() + " by the demoted moderator fails");
        assertEquals(newcomer.eventId(), resolved.get(StateKey.member("@newcomer:n.example")));
        assertEquals(leave.eventId(), resolved.get(StateKey.member(member(42))));

        // With what a caller keeping its states knows (the keys that differ, U kept from one
        // resolution to the next), the work is the conflicts', not the room's.
        ConflictHints hints = Resolutions.hints(states, room, true);
        Set<StateKey> differing = hints.differingKeys();
        java.util.function.Predicate<String> common = hints.unconflictedAuthClosure(a.state(),
                StateSplit.of(states).conflicted().keySet());
        lookups.set(0);
        ResolvedChanges changes = StateResolver.resolveChanges(version, states, counting, new ConflictHints() {
            @Override
            public Set<StateKey> differingKeys() {
                return differing;
            }

            @Override
            public java.util.function.Predicate<String> unconflictedAuthClosure(Map<StateKey, String> first,
                                                                                Set<StateKey> conflicted) {
                return common;
            }
        });
        assertTrue(lookups.get() < CONFLICT_LOOKUP_LIMIT, "resolution with hints looked up " + lookups.get() + " events");
        assertEquals(resolved, changes.applyTo(a.state()));
    }
}
