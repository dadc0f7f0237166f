package org.myelin.server.client.presence;

/**
 * A user's presence as clients see it at one moment: the body of {@code GET
 * /presence/{userId}/status} and the content of an {@code m.presence} event.
 *
 * @param lastActiveAgo   milliseconds since the user's last pro-active event; null if never
 * @param statusMsg       the status message; null when offline or unset
 * @param currentlyActive set only when online: active within the last minute
 */
public record PresenceStatus(PresenceState presence, Long lastActiveAgo, String statusMsg, Boolean currentlyActive) {

    /** A user the server has no presence for. */
    public static final PresenceStatus UNKNOWN = new PresenceStatus(PresenceState.OFFLINE, null, null, null);
}
