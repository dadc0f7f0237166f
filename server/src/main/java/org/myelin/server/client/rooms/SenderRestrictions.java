package org.myelin.server.client.rooms;

/**
 * What a server admin restricts about a user's part in rooms (the admin API plugs it in): a
 * suspended user may read but not send, join or invite (403 {@code M_USER_SUSPENDED}, the spec's
 * "Account suspension"); a shadow-banned user's events are answered as sent but never persisted
 * (Synapse's shadow ban); nobody joins or is invited to a blocked room.
 */
public interface SenderRestrictions {

    /** No restriction at all: the default until the admin API is wired. */
    SenderRestrictions NONE = new SenderRestrictions() {
    };

    /** Throws 403 M_USER_SUSPENDED when {@code userId} may not send. */
    default void checkMaySend(String userId) {
    }

    /** Whether {@code userId}'s events are to be dropped while the user is told they were sent. */
    default boolean isShadowBanned(String userId) {
        return false;
    }

    /** Throws 403 M_FORBIDDEN when an admin blocked {@code roomId}: nobody of this server joins or is invited to it. */
    default void checkNotBlocked(String roomId) {
    }
}
