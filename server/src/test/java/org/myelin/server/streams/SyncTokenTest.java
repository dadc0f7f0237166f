package org.myelin.server.streams;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyncTokenTest {

    @Test
    void roundTripsThroughItsWireForm() {
        SyncToken token = SyncToken.ZERO.with(StreamId.TIMELINE, 1042).with(StreamId.RECEIPTS, 7)
                .with(StreamId.TYPING, 3).with(StreamId.ACCOUNT_DATA, 12).with(StreamId.PRESENCE, 5);
        assertEquals("s1042_7_3_12_0_0_5", token.toString());
        assertEquals(token, SyncToken.parse("s1042_7_3_12_0_0_5"));
        assertEquals(12, token.position(StreamId.ACCOUNT_DATA));
    }

    @Test
    void theTimelinePositionMayBeNegativeForBackfilledHistory() {
        assertEquals(-5, SyncToken.parse("s-5_0_0_0_0_0_0").timeline());
        assertThrows(IllegalArgumentException.class, () -> SyncToken.parse("s5_-1_0_0_0_0_0"));
    }

    @Test
    void refusesWhatIsNotAToken() {
        for (String bad : new String[] {"", "s", "x1_2_3_4_5_6_7", "s1_2_3", "s1_2_3_4_5_6_7_8", "s1_2_3_4_5_6_x",
                "s1__3_4_5_6_7", "t1-2", "s99999999999999999999_0_0_0_0_0_0"}) {
            assertThrows(IllegalArgumentException.class, () -> SyncToken.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> SyncToken.parse(null));
    }

    @Test
    void comparesStreamByStream() {
        SyncToken a = SyncToken.parse("s5_1_1_1_1_1_1");
        SyncToken b = a.with(StreamId.RECEIPTS, 2);
        assertTrue(b.isAtOrAfter(a));
        assertFalse(a.isAtOrAfter(b));
        assertFalse(b.with(StreamId.TIMELINE, 4).isAtOrAfter(a));
    }
}
