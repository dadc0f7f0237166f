package org.myelin.server.client.sync.sliding;

/**
 * What a connection was sent of one room in one stream (the timeline, receipts, room account
 * data), as Synapse's {@code HaveSentRoom}: nothing yet (no entry at all), everything up to the
 * previous response ({@link Live}), or everything up to a position after which it missed updates
 * while the room was out of its lists' ranges ({@link Behind}).
 */
public sealed interface Sent {

    Live LIVE = new Live();

    /** The connection has every update of the room up to its previous response. */
    record Live() implements Sent {
    }

    /** The connection has the room's updates up to {@code after} and missed later ones. */
    record Behind(long after) implements Sent {
    }
}
