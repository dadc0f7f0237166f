package org.myelin.server.client.rooms;

import org.junit.jupiter.api.Test;
import org.myelin.server.http.MatrixException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TimelineTokenTest {

    @Test
    void roundTripsAndReadsTheRoomPartOfSyncTokens() {
        assertEquals(new TimelineToken(42), TimelineToken.parse("s42"));
        assertEquals("s-7", new TimelineToken(-7).toString());
        assertEquals(new TimelineToken(-7), TimelineToken.parse("s-7"));
        assertEquals(new TimelineToken(42), TimelineToken.parse("s42_17_3"));
        assertEquals(new TimelineToken(41), TimelineToken.before(42));
        assertEquals(new TimelineToken(42), TimelineToken.after(42));
    }

    @Test
    void refusesOtherText() {
        for (String bad : new String[] {"", "s", "42", "t1-2", "sx", "s1.5"}) {
            assertEquals("M_INVALID_PARAM", assertThrows(MatrixException.class, () -> TimelineToken.parse(bad))
                    .errCode().name(), bad);
        }
    }
}
