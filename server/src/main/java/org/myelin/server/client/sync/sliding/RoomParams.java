package org.myelin.server.client.sync.sliding;

/**
 * What to send of a room (MSC4186 {@code timeline_limit} and {@code required_state}), as a list or
 * a room subscription asks for it; a room asked for by several is sent with the union
 * (Synapse's {@code RoomSyncConfig}).
 */
public record RoomParams(int timelineLimit, RequiredState requiredState) {

    /** The most a list or subscription may ask for (as Synapse). */
    public static final int MAX_TIMELINE_LIMIT = 1000;

    /** The larger timeline and the union of the required state. */
    public RoomParams combine(RoomParams other) {
        return new RoomParams(Math.max(timelineLimit, other.timelineLimit), requiredState.combine(other.requiredState));
    }
}
