package org.myelin.storage.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Allocates timeline positions inside one transaction, holding the advisory lock that
 * serialises allocation across processes until the transaction ends.
 */
final class StreamPositions {

    private long lastLive;
    private long lastBackfilled;

    private StreamPositions(long lastLive, long lastBackfilled) {
        this.lastLive = lastLive;
        this.lastBackfilled = lastBackfilled;
    }

    static StreamPositions lock(Connection c) throws SQLException {
        // Two statements in one round trip: the driver sends both before it waits. The second
        // starts once the first holds the lock, so its snapshot sees every earlier writer's
        // commit (read committed: one snapshot per statement, not per round trip).
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?); " + TimelineBounds.EXTREMES)) {
            ps.setLong(1, EventPersister.STREAM_LOCK);
            ps.execute();
            if (!ps.getMoreResults()) {
                throw new SQLException("no stream positions returned");
            }
            try (ResultSet rs = ps.getResultSet()) {
                rs.next();
                return new StreamPositions(Math.max(0, rs.getLong(1)), Math.min(0, rs.getLong(2)));
            }
        }
    }

    long nextLive() {
        return ++lastLive;
    }

    long nextBackfilled() {
        return --lastBackfilled;
    }

    /** Returns the position just taken, unused (the event turned out to be stored already). */
    void giveBack(PersistRequest.Placement placement, Long position) {
        if (position == null) {
            return;
        }
        boolean live = placement == PersistRequest.Placement.LIVE || placement == PersistRequest.Placement.OUT_OF_BAND;
        if (live && position == lastLive) {
            lastLive--;
        } else if (placement == PersistRequest.Placement.BACKFILLED && position == lastBackfilled) {
            lastBackfilled++;
        }
    }
}
