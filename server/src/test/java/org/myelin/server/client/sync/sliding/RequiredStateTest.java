package org.myelin.server.client.sync.sliding;

import org.junit.jupiter.api.Test;
import org.myelin.protocol.event.StateKey;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link RequiredState}: normalised as Synapse normalises {@code required_state}, combined, matched. */
class RequiredStateTest {

    static RequiredState of(String... typeAndKey) {
        List<List<String>> pairs = new java.util.ArrayList<>();
        for (int i = 0; i < typeAndKey.length; i += 2) {
            pairs.add(List.of(typeAndKey[i], typeAndKey[i + 1]));
        }
        return RequiredState.of(pairs);
    }

    @Test
    void aWildcardForEverythingSwallowsTheRestWhereverItStands() {
        assertEquals(Map.of("*", Set.of("*")), of("m.room.name", "", "*", "*", "m.room.topic", "").keys());
        // $LAZY before ["*", "*"] goes too: all members are sent.
        RequiredState all = of("m.room.member", "$LAZY", "*", "*");
        assertEquals(Map.of("*", Set.of("*")), all.keys());
        assertTrue(all.all());
        assertFalse(all.lazyMembers());
    }

    @Test
    void aStateKeyWildcardSwallowsTheOtherKeysOfItsType() {
        assertEquals(Map.of("m.room.member", Set.of("*")),
                of("m.room.member", "@a:x", "m.room.member", "*", "m.room.member", "@b:x").keys());
    }

    @Test
    void aTypeWildcardSwallowsTheSameStateKeyOfOtherTypes() {
        assertEquals(Map.of("*", Set.of(""), "m.room.member", Set.of("@a:x")),
                of("m.room.name", "", "m.room.member", "@a:x", "*", "", "m.room.topic", "").keys());
    }

    @Test
    void combiningTakesTheUnion() {
        RequiredState a = of("m.room.name", "", "m.room.member", "$LAZY");
        RequiredState b = of("m.room.topic", "", "m.room.member", "$ME");
        assertEquals(Map.of("m.room.name", Set.of(""), "m.room.topic", Set.of(""),
                "m.room.member", Set.of("$LAZY", "$ME")), a.combine(b).keys());
        assertEquals(Map.of("*", Set.of("*")), a.combine(of("*", "*")).keys());
        assertEquals(Map.of("m.room.member", Set.of("*")), of("m.room.member", "@a:x").combine(of("m.room.member", "*")).keys());
        assertEquals(a.combine(b), b.combine(a));
    }

    @Test
    void matchesByTypeKeyWildcardsAndMe() {
        RequiredState r = of("m.room.name", "", "m.room.member", "$ME", "m.space.child", "*", "*", "x");
        assertTrue(r.matches(StateKey.of("m.room.name", ""), "@me:x"));
        assertFalse(r.matches(StateKey.of("m.room.topic", ""), "@me:x"));
        assertTrue(r.matches(StateKey.member("@me:x"), "@me:x"));
        assertFalse(r.matches(StateKey.member("@other:x"), "@me:x"));
        assertTrue(r.matches(StateKey.of("m.space.child", "!any:x"), "@me:x"));
        assertTrue(r.matches(StateKey.of("org.example", "x"), "@me:x"));
        assertEquals(Set.of("@me:x"), r.explicitMembers("@me:x"));
        assertFalse(RequiredState.NONE.matches(StateKey.of("m.room.name", ""), "@me:x"));
    }

    @Test
    void lazyMembersAreNoExplicitMembers() {
        RequiredState r = of("m.room.member", "$LAZY", "m.room.member", "@a:x");
        assertTrue(r.lazyMembers());
        assertEquals(Set.of("@a:x"), r.explicitMembers("@me:x"));
        assertFalse(r.matches(StateKey.member("@b:x"), "@me:x"), "lazy members are chosen by the timeline");
    }
}
