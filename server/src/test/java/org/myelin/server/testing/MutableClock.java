package org.myelin.server.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

/** A clock that moves only when told. */
public final class MutableClock extends Clock {

    private volatile long millis = 1_700_000_000_000L;

    public void advance(long ms) {
        millis += ms;
    }

    @Override
    public ZoneId getZone() {
        return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public long millis() {
        return millis;
    }
}
