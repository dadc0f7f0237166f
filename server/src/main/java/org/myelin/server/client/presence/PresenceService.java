package org.myelin.server.client.presence;

import java.util.List;
import java.util.Set;

/**
 * Users' presence (client-server API, "Presence"), and the presence stream /sync serves.
 *
 * <p>Idle and offline are computed when presence is read, not by a timer (Synapse's rules):
 * an online user inactive for 5 minutes is {@code unavailable}; a local user who is not syncing
 * and has neither synced nor been active for 30 seconds is {@code offline}. Such timeouts are
 * not changes on the stream; they show in the next read of the user's presence.
 *
 * <p>For /sync: read {@link #position()} for the next token (or take positions from /sync's own
 * stream counter, see {@code PresenceRepository.PositionAllocator}), serve
 * {@link #between(long, long, Set)} for the users who share a room with the syncing user, and
 * wrap each request in {@link #syncing} (or call {@link #setFromSync}) with its
 * {@code set_presence}. A {@link Listener} hears of each change.
 */
public interface PresenceService {

    /** The position of the latest change on the presence stream (0 before any); never decreases. */
    long position();

    /**
     * The latest change of each of {@code users} after {@code position}, oldest first, each with
     * the user's presence now.
     */
    List<PresenceUpdate> since(long position, Set<String> users);

    /** As {@link #since}, only changes at positions up to {@code upTo} (a /sync token's). */
    List<PresenceUpdate> between(long after, long upTo, Set<String> users);

    /** The user's presence now; {@link PresenceStatus#UNKNOWN} if the server has none. */
    PresenceStatus get(String userId);

    /**
     * Sets a local user's presence ({@code PUT /presence/{userId}/status}): online also marks
     * the user active now; offline clears the status message.
     */
    void set(String userId, PresenceState state, String statusMsg);

    /**
     * What a /sync request does to presence through {@code set_presence}: {@code online} (the
     * default) brings an offline user online, {@code unavailable} marks them idle,
     * {@code offline} changes nothing. Either of the first two also counts as the user syncing
     * now.
     */
    void setFromSync(String userId, PresenceState state);

    /**
     * As {@link #setFromSync}, and the user counts as syncing until the returned handle is
     * closed, so that a long-polling client does not time out to offline meanwhile.
     */
    Syncing syncing(String userId, PresenceState state);

    /**
     * A pro-active event by the user (sending a message, a receipt, typing): active now, and
     * back online if idle.
     */
    void bumpActive(String userId);

    /**
     * A remote server's update of one of its users ({@code m.presence} EDU): kept and served as
     * ours are. Its server times it out, not we; but an update not renewed for
     * {@link LocalPresence#REMOTE_TIMEOUT_MS} reads as offline (the server may be gone).
     *
     * @param lastActiveAgo milliseconds since the user was last active, as the server saw it
     */
    void received(String userId, PresenceState state, String statusMsg, long lastActiveAgo);

    /** Who else hears of each change, after the /sync wake-up (federation, application services). */
    void listen(Listener listener);

    /**
     * Told of each change on the presence stream once it is committed: to wake /sync readers
     * (or, with /sync's streams, {@code streams.advanced(PRESENCE, position, keys)}).
     */
    @FunctionalInterface
    interface Listener {
        void changed(String userId, long position);
    }

    /** A /sync request in progress; closing it records the end of the sync. */
    interface Syncing extends AutoCloseable {
        @Override
        void close();
    }
}
