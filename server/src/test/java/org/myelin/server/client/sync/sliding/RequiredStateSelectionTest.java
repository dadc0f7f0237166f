package org.myelin.server.client.sync.sliding;

import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.StateKey;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link RequiredStateSelection}: what a room's required state sends the first time and afterwards. */
class RequiredStateSelectionTest {

    static final String ME = "@me:x";
    static final Map<StateKey, String> STATE = Map.of(
            StateKey.of("m.room.create", ""), "$create",
            StateKey.of("m.room.name", ""), "$name",
            StateKey.of("m.room.topic", ""), "$topic",
            StateKey.member(ME), "$me",
            StateKey.member("@a:x"), "$a",
            StateKey.member("@b:x"), "$b");

    static RequiredState of(String... typeAndKey) {
        return RequiredStateTest.of(typeAndKey);
    }

    static Map<StateKey, String> select(RequiredState required, Set<String> lazy, boolean initial, boolean limited,
                                        Map<StateKey, String> deltas, RequiredState before, Map<String, String> sent) {
        return RequiredStateSelection.select(new RequiredStateSelection.Request(ME, required, lazy, initial, limited,
                deltas, before, sent), () -> STATE);
    }

    @Test
    void theFirstTimeEverythingAskedForAndTheTimelinesMembers() {
        RequiredState required = of("m.room.name", "", "m.room.member", "$LAZY", "m.room.member", "$ME");
        assertEquals(Map.of(StateKey.of("m.room.name", ""), "$name", StateKey.member(ME), "$me",
                StateKey.member("@a:x"), "$a"), select(required, Set.of("@a:x"), true, false, Map.of(), null, Map.of()));
    }

    @Test
    void afterwardsOnlyChangesAskedFor() {
        RequiredState required = of("m.room.name", "");
        Map<StateKey, String> deltas = Map.of(StateKey.of("m.room.name", ""), "$name2",
                StateKey.of("m.room.topic", ""), "$topic2");
        assertEquals(Map.of(StateKey.of("m.room.name", ""), "$name2"),
                select(required, Set.of(), false, false, deltas, required, Map.of()));
    }

    @Test
    void newlyAskedForStateIsSentFromTheRoomsState() {
        RequiredState before = of("m.room.name", "");
        RequiredState now = of("m.room.name", "", "m.room.topic", "");
        assertEquals(Map.of(StateKey.of("m.room.topic", ""), "$topic"),
                select(now, Set.of(), false, false, Map.of(), before, Map.of()));
    }

    @Test
    void lazyMembersTheConnectionHasAreNotSentAgainUnlessChanged() {
        RequiredState lazy = of("m.room.member", "$LAZY");
        assertEquals(Map.of(StateKey.member("@b:x"), "$b"),
                select(lazy, Set.of("@a:x", "@b:x"), false, true, Map.of(), lazy, Map.of("@a:x", "$a")));
        assertEquals(Map.of(StateKey.member("@a:x"), "$a"),
                select(lazy, Set.of("@a:x"), false, true, Map.of(), lazy, Map.of("@a:x", "$old")));
    }

    @Test
    void withoutAGapEveryMembershipChangeGoesToALazyLoadingClient() {
        RequiredState lazy = of("m.room.member", "$LAZY");
        Map<StateKey, String> deltas = Map.of(StateKey.member("@b:x"), "$b");
        assertEquals(Map.of(StateKey.member("@b:x"), "$b"), select(lazy, Set.of(), false, false, deltas, lazy,
                Map.of()));
        assertEquals(Map.of(), select(lazy, Set.of(), false, true, deltas, lazy, Map.of()),
                "after a gap, only the timeline's members");
        assertEquals(List.of(), List.copyOf(select(RequiredState.NONE, Set.of("@a:x"), true, false, Map.of(), null,
                Map.of()).keySet()));
    }
}
