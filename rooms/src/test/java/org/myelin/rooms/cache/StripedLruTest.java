package org.myelin.rooms.cache;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StripedLruTest {

    @Test
    void keepsAndReplacesValues() {
        StripedLru<String, Long> lru = new StripedLru<>(100);
        assertNull(lru.get("a"));
        lru.put("a", 1L);
        assertEquals(1L, lru.get("a"));
        assertEquals(1L, lru.putIfAbsent("a", 2L));
        assertNull(lru.putIfAbsent("b", 3L));
        assertEquals(3L, lru.get("b"));
        assertEquals(5L, lru.merge("b", 5L, Math::max));
        assertEquals(5L, lru.merge("b", 4L, Math::max));
        lru.remove("a");
        assertNull(lru.get("a"));
    }

    @Test
    void staysWithinItsBound() {
        StripedLru<Integer, Integer> lru = new StripedLru<>(160);
        for (int i = 0; i < 10_000; i++) {
            lru.put(i, i);
        }
        assertTrue(lru.size() <= 160, "size " + lru.size());
    }
}
