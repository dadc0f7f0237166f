package org.myelin.protocol.event;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which thread an event is in, on the spec's example ("Threaded read receipts"): A is a thread
 * root with replies C and E; B, D, F, I are in the main timeline. Added here: a reaction R to C,
 * an edit X of R (two hops to the reply), a reference D2 to the root, a chain too long to follow
 * (L4 → L3 → L2 → L1 → C) and a reaction U to an unknown event.
 */
class EventThreadTest {

    private static final Map<String, Relation> RELATIONS = Map.of(
            "$C", new Relation(Relation.THREAD, "$A", null),
            "$E", new Relation(Relation.THREAD, "$A", null),
            "$R", new Relation(Relation.ANNOTATION, "$C", "👍"),
            "$X", new Relation(Relation.REPLACE, "$R", null),
            "$D2", new Relation(Relation.REFERENCE, "$A", null),
            "$L1", new Relation(Relation.REFERENCE, "$C", null),
            "$L2", new Relation(Relation.REFERENCE, "$L1", null),
            "$L3", new Relation(Relation.REFERENCE, "$L2", null),
            "$L4", new Relation(Relation.REFERENCE, "$L3", null),
            "$U", new Relation(Relation.ANNOTATION, "$unknown", "x"));

    private static Optional<Relation> relationOf(String eventId) {
        return Optional.ofNullable(RELATIONS.get(eventId));
    }

    @ParameterizedTest(name = "{0} is in {1}")
    @CsvSource({
            "$A, main", "$B, main", "$D, main", "$I, main",
            "$C, $A", "$E, $A",
            "$R, $A", "$X, $A",
            "$D2, main",
            "$L3, $A", "$L4, main",
            "$U, main",
    })
    void findsTheThreadWithinThreeHops(String eventId, String thread) {
        assertEquals(thread, EventThread.of(relationOf(eventId), EventThreadTest::relationOf));
    }

    @ParameterizedTest(name = "the chain of {0} ends at {1}")
    @CsvSource({
            "$A, $A", "$B, $B",
            "$C, $A", "$R, $A", "$X, $A", "$D2, $A",
            "$U, $unknown",
    })
    void findsTheTopOfTheChainOfRelations(String eventId, String top) {
        assertEquals(top, EventThread.topOf(eventId, relationOf(eventId), EventThreadTest::relationOf));
    }
}
