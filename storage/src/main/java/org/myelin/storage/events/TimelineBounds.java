package org.myelin.storage.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Keeps the timeline's extreme positions when events leave the events table (a purged room), so
 * that positions are never taken twice: a position clients or the federation queue have passed
 * must not be given to a new event ({@code timeline_bounds}, read by {@link StreamPositions}).
 */
public final class TimelineBounds {

    /** The extremes of the events table and of the kept bounds: the positions taken so far. */
    static final String EXTREMES = """
            SELECT GREATEST(COALESCE(MAX(stream_ordering), 0), COALESCE((SELECT live_high FROM timeline_bounds), 0)),
                   LEAST(COALESCE(MIN(stream_ordering), 0), COALESCE((SELECT backfilled_low FROM timeline_bounds), 0))
            FROM events""";

    private TimelineBounds() {
    }

    /**
     * Called in a transaction about to delete events: waits for the persisters' lock (so no
     * position is being taken meanwhile) and records the current extremes, held until it commits.
     */
    public static void keepBeforeDeleting(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, EventPersister.STREAM_LOCK);
            ps.execute();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO timeline_bounds (live_high, backfilled_low) "
                + EXTREMES + """

                ON CONFLICT (singleton) DO UPDATE SET live_high = GREATEST(timeline_bounds.live_high, EXCLUDED.live_high),
                    backfilled_low = LEAST(timeline_bounds.backfilled_low, EXCLUDED.backfilled_low)""")) {
            ps.executeUpdate();
        }
    }
}
