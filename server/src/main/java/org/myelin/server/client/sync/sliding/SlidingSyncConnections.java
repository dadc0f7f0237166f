package org.myelin.server.client.sync.sliding;

import java.util.Optional;

/**
 * Where sliding sync connections keep what they were sent ({@link ConnectionState}), per user,
 * device and {@code conn_id}, under connection positions (DESIGN.md: per-process state behind one
 * small interface, so that several processes can share it later). A connection keeps the state
 * of the position the client came back with and of the one answered since; an older or forgotten
 * position is unknown, and the client starts again (M_UNKNOWN_POS).
 */
public interface SlidingSyncConnections {

    /** A connection: one of a device's sliding sync loops. */
    record Key(String userId, String deviceId, String connId) {
    }

    /**
     * The state the connection had at {@code position}, forgetting its other positions, or empty
     * when the position is unknown (never given out, superseded, or forgotten).
     */
    Optional<ConnectionState> resume(Key key, long position);

    /**
     * Records {@code next}, the state after a response to a request made at {@code previous} (0
     * for a fresh connection, which forgets whatever the connection had), and returns the position
     * naming it: {@code previous} itself when nothing changed.
     */
    long record(Key key, long previous, ConnectionState next);
}
