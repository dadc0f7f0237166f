package org.myelin.server.streams;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamChangeCacheTest {

    @Test
    void knowsWhatChangedAfterAPositionItHasSeen() {
        StreamChangeCache cache = new StreamChangeCache(10, 100);
        cache.record("!a", 12);
        cache.record("!b", 15);

        assertTrue(cache.mayHaveChanged("!a", 11));
        assertFalse(cache.mayHaveChanged("!a", 12), "not after its own change");
        assertFalse(cache.mayHaveChanged("!c", 10), "never changed");
        assertEquals(Optional.of(Set.of("!b")), cache.changedSince(List.of("!a", "!b", "!c"), 12));
        assertEquals(15, cache.lastChangeOrEarliest("!b"));
        assertEquals(10, cache.lastChangeOrEarliest("!c"));
    }

    @Test
    void cannotTellForPositionsBeforeItStarted() {
        StreamChangeCache cache = new StreamChangeCache(10, 100);

        assertTrue(cache.mayHaveChanged("!a", 9), "the process did not see position 10");
        assertEquals(Optional.empty(), cache.changedSince(List.of("!a"), 9));
    }

    @Test
    void forgettingTheOldestKeysRaisesWhatItKnows() {
        StreamChangeCache cache = new StreamChangeCache(0, 2);
        cache.record("!a", 1);
        cache.record("!b", 2);
        cache.record("!c", 3);

        assertEquals(1, cache.earliestKnown());
        assertTrue(cache.mayHaveChanged("!a", 0), "forgotten, so maybe");
        assertFalse(cache.mayHaveChanged("!a", 1), "nothing of a after 1, or it would be remembered");
        assertFalse(cache.mayHaveChanged("!b", 2));
    }

    @Test
    void aKeyKeepsItsLatestChange() {
        StreamChangeCache cache = new StreamChangeCache(0, 2);
        cache.record("!a", 1);
        cache.record("!a", 5);
        cache.record("!a", 3);
        cache.record("!b", 6);

        assertEquals(5, cache.lastChangeOrEarliest("!a"));
        assertEquals(0, cache.earliestKnown(), "two keys fit");
    }
}
