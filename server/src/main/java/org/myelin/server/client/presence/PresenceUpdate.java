package org.myelin.server.client.presence;

/**
 * A change of a user's presence on the presence stream, with the user's presence as of the
 * read (idle and offline timeouts applied).
 *
 * @param position the change's position on the presence stream
 */
public record PresenceUpdate(long position, String userId, PresenceStatus status) {

    /** An {@code m.presence} event as /sync's {@code presence.events} carries it. */
    public record Event(String sender, String type, PresenceStatus content) {
    }

    /** This update as an {@code m.presence} event. */
    public Event event() {
        return new Event(userId, "m.presence", status);
    }
}
