package org.myelin.protocol.stateres;

import org.myelin.protocol.event.Pdu;

import java.util.Map;

/**
 * Where state resolution finds the events it is given ids of: the room's event store, or a map in
 * tests. State resolution reads the events of the state sets, their auth chains, and nothing else.
 */
@FunctionalInterface
public interface EventSource {

    /** The event with this id, or null if this server does not have it. */
    Pdu get(String eventId);

    /**
     * Whether the event was rejected when it was received (server-server API, "Rejection").
     * Rejected events are never used as auth events during the iterative auth checks
     * (v2 "Rejected events": "Rejected auth events are deliberately excluded"). None by default.
     */
    default boolean isRejected(String eventId) {
        return false;
    }

    /** The events of a map from event id to event, none of them rejected. */
    static EventSource of(Map<String, Pdu> events) {
        return events::get;
    }
}
