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
        assertEquals(9_999, lru.get(9_999)); // the newest entry is kept
    }

    @Test
    void forgetsTheLeastRecentlyUsedOfAStripe() {
        StripedLru<Integer, Integer> lru = new StripedLru<>(16); // one entry per stripe
        lru.put(0, 0);
        lru.put(16, 16); // same stripe as 0 (hash 0 and 16 with 16 stripes)
        assertNull(lru.get(0));
        assertEquals(16, lru.get(16));
    }
}
