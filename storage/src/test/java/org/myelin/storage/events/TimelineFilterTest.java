package org.myelin.storage.events;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimelineFilterTest {

    @Test
    void wildcardsMatchAnySequence() {
        assertTrue(TimelineFilter.matchesPattern("m.room.*", "m.room.message"));
        assertTrue(TimelineFilter.matchesPattern("*", "anything"));
        assertTrue(TimelineFilter.matchesPattern("*.message", "m.room.message"));
        assertFalse(TimelineFilter.matchesPattern("m.room.*", "m.call.invite"));
        assertFalse(TimelineFilter.matchesPattern("m.room", "m.room.message"), "no wildcard: exact");
        assertTrue(TimelineFilter.matchesPattern("a(b)+[c]", "a(b)+[c]"), "regex characters are literal");
    }

    @Test
    void likePatternsEscapeSqlWildcards() {
        assertEquals("m.room.%", TimelineFilter.likePattern("m.room.*"));
        assertEquals("a\\_b\\%c\\\\", TimelineFilter.likePattern("a_b%c\\"));
    }

    @Test
    void notListsWinAndEmptyListsMatchNothing() {
        TimelineFilter filter = new TimelineFilter(List.of("m.*"), List.of("m.room.member"), null, List.of("@spam:x"));
        assertTrue(filter.matches("m.room.message", "@a:x"));
        assertFalse(filter.matches("m.room.member", "@a:x"));
        assertFalse(filter.matches("m.room.message", "@spam:x"));
        assertFalse(filter.matches("org.example", "@a:x"));
        assertFalse(new TimelineFilter(List.of(), null, null, null).matches("m.room.message", "@a:x"));
        assertTrue(TimelineFilter.ALL.matches("anything", "@a:x"));
    }
}
