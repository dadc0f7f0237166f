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

    /**
     * Longest status message, in characters, from a local client (400 M_TOO_LARGE past it) or a
     * remote server (its update is dropped). A status is pushed to everyone who shares a room with
     * its user; the spec and Synapse set no limit, so this is a line of text, generously.
     */
    public static final int MAX_STATUS_MSG_LENGTH = 1024;

    /** Whether {@code statusMsg} (null for none) is within {@link #MAX_STATUS_MSG_LENGTH}. */
    public static boolean withinLimit(String statusMsg) {
        return statusMsg == null || statusMsg.codePointCount(0, statusMsg.length()) <= MAX_STATUS_MSG_LENGTH;
    }

    /** A user the server has no presence for. */
    public static final PresenceStatus UNKNOWN = new PresenceStatus(PresenceState.OFFLINE, null, null, null);
}
