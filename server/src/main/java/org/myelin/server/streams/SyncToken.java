package org.myelin.server.streams;

import java.util.Arrays;
import java.util.Objects;

/**
 * A position in every stream at once: what /sync hands out as {@code next_batch} and
 * {@code prev_batch} and takes back as {@code since} (and what {@code /messages} takes as
 * {@code from} and {@code to}).
 *
 * <p>Wire form: {@code s<timeline>_<receipts>_<typing>_<account data>_<to-device>_<device lists>_<presence>},
 * e.g. {@code s1042_7_3_12_0_0_5}. Clients treat it as opaque.
 *
 * <p>A token stands just after the positions it holds: it has seen every change at or below each
 * of them and none above. In particular its timeline position {@code P} means "after the event
 * with {@code stream_ordering} P": paginating backwards from it starts with the events at or below
 * P, forwards with those above P. A {@code prev_batch} of a timeline whose first event is at
 * position F is therefore a token with timeline position F - 1 (negative positions are backfilled
 * history and follow the same rule).
 */
public record SyncToken(long[] positions) {

    public SyncToken {
        Objects.requireNonNull(positions, "positions");
        if (positions.length != StreamId.values().length) {
            throw new IllegalArgumentException("a sync token has " + StreamId.values().length + " positions");
        }
        positions = positions.clone();
    }

    /** The token before everything: what an initial sync starts from. */
    public static final SyncToken ZERO = new SyncToken(new long[StreamId.values().length]);

    /**
     * Parses the wire form; {@link IllegalArgumentException} if it is not one of ours. Only the
     * timeline position may be negative.
     */
    public static SyncToken parse(String token) {
        if (token == null || token.length() < 2 || token.charAt(0) != 's') {
            throw new IllegalArgumentException("not a sync token");
        }
        String[] parts = token.substring(1).split("_", -1);
        if (parts.length != StreamId.values().length) {
            throw new IllegalArgumentException("not a sync token");
        }
        long[] positions = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                positions[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a sync token");
            }
            if (positions[i] < 0 && i != StreamId.TIMELINE.ordinal()) {
                throw new IllegalArgumentException("not a sync token");
            }
        }
        return new SyncToken(positions);
    }

    public long position(StreamId stream) {
        return positions[stream.ordinal()];
    }

    public long timeline() {
        return position(StreamId.TIMELINE);
    }

    /** This token with one position replaced. */
    public SyncToken with(StreamId stream, long position) {
        long[] copy = positions.clone();
        copy[stream.ordinal()] = position;
        return new SyncToken(copy);
    }

    /** Whether this token is at or past {@code other} in every stream. */
    public boolean isAtOrAfter(SyncToken other) {
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < other.positions[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long[] positions() {
        return positions.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SyncToken t && Arrays.equals(positions, t.positions);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(positions);
    }

    /** The wire form. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("s");
        for (int i = 0; i < positions.length; i++) {
            s.append(i == 0 ? "" : "_").append(positions[i]);
        }
        return s.toString();
    }
}
